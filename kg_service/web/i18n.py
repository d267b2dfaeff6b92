"""The three languages of the graph (fr, nl, en): which one a person asked for, and UI words.

The choice, in order: a ``?lang=`` parameter, the ``lang`` cookie (set when a person picks a
language, so the choice persists), then ``Accept-Language``; English when nothing matches.
"""

from __future__ import annotations

from fastapi import Request

__all__ = [
    "LANGUAGES",
    "choose_language",
    "class_label",
    "colon",
    "datatype_label",
    "editor_words",
    "error_reason",
    "pick_literal",
    "readable_size",
    "t",
    "words",
]

LANGUAGES = ("fr", "nl", "en")
DEFAULT = "en"

_WORDS: dict[str, dict[str, str]] = {
    "home": {"fr": "Accueil", "nl": "Startpagina", "en": "Home"},
    "query": {"fr": "Interroger (SPARQL)", "nl": "Bevragen (SPARQL)", "en": "Query (SPARQL)"},
    "ontology": {"fr": "Ontologie", "nl": "Ontologie", "en": "Ontology"},
    "downloads": {"fr": "Téléchargements", "nl": "Downloads", "en": "Downloads"},
    "catalog": {"fr": "Catalogue", "nl": "Catalogus", "en": "Catalogue"},
    "validate": {"fr": "Valider", "nl": "Valideren", "en": "Validate"},
    "footer_licence": {
        "fr": "données sous licence CC BY 4.0",
        "nl": "gegevens onder licentie CC BY 4.0",
        "en": "data under CC BY 4.0",
    },
    "properties": {"fr": "Propriétés", "nl": "Eigenschappen", "en": "Properties"},
    "incoming": {"fr": "Liens entrants", "nl": "Inkomende links", "en": "Incoming links"},
    "provenance": {"fr": "Provenance", "nl": "Herkomst", "en": "Provenance"},
    # --- where each statement comes from (kg_service/web/provenance.py)
    "slide": {"fr": "diapositive", "nl": "dia", "en": "slide"},
    "interpretation": {"fr": "interprétation", "nl": "interpretatie", "en": "interpretation"},
    "stated_by": {"fr": "Énoncé par", "nl": "Vermeld in", "en": "Stated by"},
    "provenance_intro": {
        "fr": "Les diapositives, sections et sources qui font les énoncés de cette page (chaque "
        "énoncé indique la sienne entre crochets) :",
        "nl": "De dia's, secties en bronnen die de uitspraken op deze pagina doen (elke "
        "uitspraak vermeldt de hare tussen haken):",
        "en": "The slides, sections and sources that make the statements on this page (each "
        "statement names its own in brackets):",
    },
    "slide_text": {
        "fr": "Texte de la diapositive",
        "nl": "Tekst van de dia",
        "en": "Text of the slide",
    },
    "section_text": {
        "fr": "Texte de la section",
        "nl": "Tekst van de sectie",
        "en": "Text of the section",
    },
    "verbatim": {
        "fr": "Tel quel, dans le document source (en français).",
        "nl": "Letterlijk, zoals in het brondocument (in het Frans).",
        "en": "Verbatim, as in the source document (in French).",
    },
    "taken_from": {
        "fr": "Ce que le graphe en tire",
        "nl": "Wat de graaf eruit haalt",
        "en": "What the graph takes from it",
    },
    "readings": {
        "fr": "Interprétations qui s'appuient sur elle",
        "nl": "Interpretaties die erop steunen",
        "en": "Interpretations that rest on it",
    },
    "readings_intro": {
        "fr": "Ce qu'aucune section ne dit en toutes lettres, mais que le graphe lit en partie "
        "ici ; chaque interprétation dit ce qui a été lu et pourquoi.",
        "nl": "Wat geen enkele sectie letterlijk zegt, maar wat de graaf hier gedeeltelijk "
        "leest; elke interpretatie zegt wat er gelezen werd en waarom.",
        "en": "What no section says in so many words but the graph reads partly here; each "
        "interpretation says what was read and why.",
    },
    "taken_none": {
        "fr": "Le graphe n'en tire aucun énoncé.",
        "nl": "De graaf haalt er geen uitspraken uit.",
        "en": "The graph takes no statement from it.",
    },
    "subject": {"fr": "Sujet", "nl": "Onderwerp", "en": "Subject"},
    "property": {"fr": "Propriété", "nl": "Eigenschap", "en": "Property"},
    "instances": {"fr": "instances", "nl": "instanties", "en": "instances"},
    "same_as": {"fr": "Identique à", "nl": "Zelfde als", "en": "Same as"},
    "external_link": {
        "fr": "(site externe)",
        "nl": "(externe site)",
        "en": "(external site)",
    },
    "anonymous": {"fr": "(nœud anonyme)", "nl": "(anoniem knooppunt)", "en": "(anonymous node)"},
    "inferred": {"fr": "(déduit)", "nl": "(afgeleid)", "en": "(inferred)"},
    "formats": {"fr": "Autres formats", "nl": "Andere formaten", "en": "Other formats"},
    "graph_triples": {
        "fr": "Les triplets de ce graphe (Turtle)",
        "nl": "De triples van deze graaf (Turtle)",
        "en": "The triples of this graph (Turtle)",
    },
    "query_this": {
        "fr": "Interroger cette ressource en SPARQL",
        "nl": "Deze bron bevragen in SPARQL",
        "en": "Query this resource in SPARQL",
    },
    "not_found": {"fr": "Ressource inconnue", "nl": "Onbekende bron", "en": "Unknown resource"},
    "types": {"fr": "Types", "nl": "Types", "en": "Types"},
    "classes": {"fr": "Classes", "nl": "Klassen", "en": "Classes"},
    "object_properties": {
        "fr": "Propriétés d'objet",
        "nl": "Objecteigenschappen",
        "en": "Object properties",
    },
    "datatype_properties": {
        "fr": "Propriétés de données",
        "nl": "Gegevenseigenschappen",
        "en": "Datatype properties",
    },
    "language": {"fr": "Langue", "nl": "Taal", "en": "Language"},
    # --- the ontology's documentation (kg_service/web/routes/ontology_docs.py, /def/)
    "named_individuals": {
        "fr": "Individus nommés",
        "nl": "Benoemde individuen",
        "en": "Named individuals",
    },
    "onto_index": {"fr": "Index des termes", "nl": "Index van de termen", "en": "Index of terms"},
    "onto_hierarchy": {
        "fr": "Hiérarchie des classes",
        "nl": "Klassenhiërarchie",
        "en": "Class hierarchy",
    },
    "onto_counts": {
        "fr": "Les nombres portent sur les données telles que les donne le point d'accès SPARQL, "
        "triplets déduits compris.",
        "nl": "De aantallen gelden voor de gegevens zoals het SPARQL-endpoint ze geeft, afgeleide "
        "triples inbegrepen.",
        "en": "The counts are over the data as the SPARQL endpoint answers it, inferred triples "
        "included.",
    },
    "onto_namespace": {"fr": "Espace de noms", "nl": "Naamruimte", "en": "Namespace"},
    "onto_version": {"fr": "Version", "nl": "Versie", "en": "Version"},
    "onto_rdf": {
        "fr": "L'ontologie en RDF",
        "nl": "De ontologie in RDF",
        "en": "The ontology in RDF",
    },
    "onto_definition": {"fr": "Définition", "nl": "Definitie", "en": "Definition"},
    "onto_other_languages": {
        "fr": "Dans les autres langues",
        "nl": "In de andere talen",
        "en": "In the other languages",
    },
    "onto_subclass_of": {"fr": "Sous-classe de", "nl": "Subklasse van", "en": "Subclass of"},
    "onto_subclasses": {"fr": "Sous-classes", "nl": "Subklassen", "en": "Subclasses"},
    "onto_subproperty_of": {
        "fr": "Sous-propriété de",
        "nl": "Subeigenschap van",
        "en": "Subproperty of",
    },
    "onto_subproperties": {
        "fr": "Sous-propriétés",
        "nl": "Subeigenschappen",
        "en": "Subproperties",
    },
    "onto_domain": {"fr": "Domaine", "nl": "Domein", "en": "Domain"},
    "onto_range": {"fr": "Portée", "nl": "Bereik", "en": "Range"},
    "onto_inverse": {"fr": "Inverse de", "nl": "Inverse van", "en": "Inverse of"},
    "onto_domain_of": {"fr": "Domaine de", "nl": "Domein van", "en": "Domain of"},
    "onto_range_of": {"fr": "Portée de", "nl": "Bereik van", "en": "Range of"},
    "onto_used_subjects": {
        "fr": "Employée avec (sujets)",
        "nl": "Gebruikt bij (onderwerpen)",
        "en": "Used with (subjects)",
    },
    "onto_used_values": {
        "fr": "Employée avec (valeurs)",
        "nl": "Gebruikt bij (waarden)",
        "en": "Used with (values)",
    },
    "onto_instances": {"fr": "Instances", "nl": "Instanties", "en": "Instances"},
    "onto_statements": {
        "fr": "Énoncés qui l'emploient",
        "nl": "Uitspraken met deze eigenschap",
        "en": "Statements using it",
    },
    "onto_references": {
        "fr": "Énoncés qui y renvoient",
        "nl": "Uitspraken die ernaar verwijzen",
        "en": "Statements referring to it",
    },
    "onto_back": {"fr": "Retour à l'index", "nl": "Terug naar de index", "en": "Back to the index"},
    # --- the landing page and the query pages (kg_service/ui.py) ---
    "ui_tagline": {
        "fr": "Un graphe de connaissances ouvert sur la coopération Benelux",
        "nl": "Een open kennisgraaf over de Benelux-samenwerking",
        "en": "An open knowledge graph of Benelux cooperation",
    },
    "ui_intro": {
        "fr": "Deux documents sources en français sur la coopération Benelux, une présentation "
        "(histoire 1944–2008, traité de l'Union Benelux, institutions, partenaires, programmes, "
        "3e plan d'action Senningen sur la coopération policière) et un plan pluriannuel, "
        "transformés en données ouvertes liées : des libellés en français, néerlandais et "
        "anglais, et pour chaque fait la diapositive ou la section dont il provient. Le graphe "
        "suit une ontologie OWL 2, est vérifié par des formes SHACL et s'interroge en SPARQL.",
        "nl": "Twee Franstalige brondocumenten over de Benelux-samenwerking, een presentatie "
        "(geschiedenis 1944–2008, het Benelux Unie-verdrag, instellingen, partners, "
        "programma's, het 3de Senningen-actieplan over politiesamenwerking) en een "
        "meerjarenplan, omgezet in linked open data: labels in het Frans, Nederlands en "
        "Engels, en bij elk feit de dia of sectie waaruit het komt. De graaf volgt een "
        "OWL 2-ontologie, wordt gecontroleerd met SHACL-vormen en is te bevragen in SPARQL.",
        "en": "Two French source documents on Benelux cooperation, a slide deck (history "
        "1944–2008, the Benelux Union treaty, institutions, partners, programmes, the 3rd "
        "Senningen action plan on police cooperation) and a multi-annual plan, turned into "
        "linked open data: labels in French, Dutch and English, and for every fact the slide "
        "or section it comes from. The graph follows an OWL 2 ontology, is checked by SHACL "
        "shapes and can be queried in SPARQL.",
    },
    "ui_holds": {
        "fr": "Ce que contient le graphe",
        "nl": "Wat de graaf bevat",
        "en": "What the graph holds",
    },
    "ui_triples": {"fr": "Triplets", "nl": "Triples", "en": "Triples"},
    "ui_inferred": {
        "fr": "dont déduits (OWL 2 RL)",
        "nl": "waarvan afgeleid (OWL 2 RL)",
        "en": "of which inferred (OWL 2 RL)",
    },
    "ui_named_graphs": {"fr": "Graphes nommés", "nl": "Benoemde grafen", "en": "Named graphs"},
    "ui_class": {"fr": "Classe", "nl": "Klasse", "en": "Class"},
    "ui_count": {"fr": "Nombre", "nl": "Aantal", "en": "Count"},
    "ui_entry_points": {"fr": "Points d'entrée", "nl": "Startpunten", "en": "Entry points"},
    "ui_sources": {"fr": "Documents sources", "nl": "Brondocumenten", "en": "Source documents"},
    "ui_use": {"fr": "Utiliser le graphe", "nl": "De graaf gebruiken", "en": "Use the graph"},
    "ui_about_query": {
        "fr": "l'éditeur YASGUI sur le point d'accès SPARQL, avec les requêtes d'exemple",
        "nl": "de YASGUI-editor op het SPARQL-endpoint, met de voorbeeldqueries",
        "en": "the YASGUI editor on the SPARQL endpoint, with the example queries",
    },
    "ui_about_ontology": {
        "fr": "les classes et propriétés, définies en français, néerlandais et anglais",
        "nl": "de klassen en eigenschappen, gedefinieerd in het Frans, Nederlands en Engels",
        "en": "the classes and properties, defined in French, Dutch and English",
    },
    "ui_about_downloads": {
        "fr": "le graphe entier en TriG, N-Quads, JSON-LD, Turtle et N-Triples",
        "nl": "de hele graaf in TriG, N-Quads, JSON-LD, Turtle en N-Triples",
        "en": "the whole graph in TriG, N-Quads, JSON-LD, Turtle and N-Triples",
    },
    "ui_about_catalog": {
        "fr": "la description DCAT-AP du jeu de données",
        "nl": "de DCAT-AP-beschrijving van de dataset",
        "en": "the DCAT-AP description of the dataset",
    },
    "ui_about_void": {
        "fr": "la description VoID : graphes, tailles, vocabulaires",
        "nl": "de VoID-beschrijving: grafen, groottes, vocabularia",
        "en": "the VoID description: graphs, sizes, vocabularies",
    },
    "ui_about_validate": {
        "fr": "valider vos propres données RDF avec les formes SHACL du graphe",
        "nl": "uw eigen RDF-gegevens valideren met de SHACL-vormen van de graaf",
        "en": "validate your own RDF data against the graph's SHACL shapes",
    },
    "ui_examples": {"fr": "Requêtes d'exemple", "nl": "Voorbeeldqueries", "en": "Example queries"},
    "ui_all_examples": {
        "fr": "Toutes les requêtes d'exemple",
        "nl": "Alle voorbeeldqueries",
        "en": "All example queries",
    },
    "ui_query_title": {
        "fr": "Interroger le graphe en SPARQL",
        "nl": "De graaf bevragen in SPARQL",
        "en": "Query the graph in SPARQL",
    },
    "ui_query_intro": {
        "fr": "Choisissez une requête d'exemple ou écrivez la vôtre : les préfixes du graphe sont "
        "déjà déclarés, et l'éditeur complète classes, propriétés et ressources à la frappe.",
        "nl": "Kies een voorbeeldquery of schrijf uw eigen query: de prefixen van de graaf zijn al "
        "gedeclareerd, en de editor vult klassen, eigenschappen en bronnen aan terwijl u typt.",
        "en": "Pick an example query or write your own: the graph's prefixes are already "
        "declared, and the editor completes classes, properties and resources as you type.",
    },
    "ui_union": {
        "fr": "Le graphe par défaut est l'union de tous les graphes nommés, triplets déduits "
        "compris.",
        "nl": "De standaardgraaf is de unie van alle benoemde grafen, afgeleide triples "
        "inbegrepen.",
        "en": "The default graph is the union of all named graphs, inferred triples included.",
    },
    "ui_endpoint": {"fr": "Point d'accès SPARQL", "nl": "SPARQL-endpoint", "en": "SPARQL endpoint"},
    "ui_sparql_query": {"fr": "Requête SPARQL", "nl": "SPARQL-query", "en": "SPARQL query"},
    "ui_run": {"fr": "Exécuter", "nl": "Uitvoeren", "en": "Run"},
    "ui_yasgui_missing": {
        "fr": "L'éditeur YASGUI n'est pas installé sur ce serveur ; ce formulaire simple "
        "fonctionne sans lui. Pour l'installer, lancez",
        "nl": "De YASGUI-editor is niet geïnstalleerd op deze server; dit eenvoudige formulier "
        "werkt ook zonder. Installeren doet u met",
        "en": "The YASGUI editor is not installed on this server; this plain form works without "
        "it. To install it, run",
    },
    "ui_results": {"fr": "Résultats", "nl": "Resultaten", "en": "Results"},
    "ui_rows": {"fr": "lignes", "nl": "rijen", "en": "rows"},
    "ui_row_one": {"fr": "1 ligne", "nl": "1 rij", "en": "1 row"},
    "ui_no_rows": {"fr": "Aucune ligne.", "nl": "Geen rijen.", "en": "No rows."},
    "ui_truncated": {
        "fr": "Seules les premières lignes sont affichées ; le résultat complet se télécharge "
        "ci-dessous.",
        "nl": "Alleen de eerste rijen worden getoond; het volledige resultaat kunt u hieronder "
        "downloaden.",
        "en": "Only the first rows are shown; download the whole result below.",
    },
    "ui_too_large": {
        "fr": "Le résultat est trop grand pour cette page ; téléchargez-le ci-dessous.",
        "nl": "Het resultaat is te groot voor deze pagina; download het hieronder.",
        "en": "The result is too large for this page; download it below.",
    },
    "ui_answer": {"fr": "Réponse", "nl": "Antwoord", "en": "Answer"},
    "ui_yes": {"fr": "oui", "nl": "ja", "en": "yes"},
    "ui_no": {"fr": "non", "nl": "nee", "en": "no"},
    "ui_download_as": {"fr": "Télécharger en", "nl": "Downloaden als", "en": "Download as"},
    "ui_open_editor": {
        "fr": "Ouvrir dans l'éditeur YASGUI",
        "nl": "Openen in de YASGUI-editor",
        "en": "Open in the YASGUI editor",
    },
    "ui_query_failed": {
        "fr": "La requête n'a pas pu être exécutée",
        "nl": "De query kon niet worden uitgevoerd",
        "en": "The query could not be run",
    },
    # --- reconciliation (kg_service/web/routes/reconcile.py)
    "reconcile_name": {
        "fr": "benelux-kg : réconciliation (coopération Benelux)",
        "nl": "benelux-kg: reconciliatie (Benelux-samenwerking)",
        "en": "benelux-kg: reconciliation (Benelux cooperation)",
    },
    "ui_about_reconcile": {
        "fr": "Réconcilier un tableur dans OpenRefine : Réconcilier → Démarrer la réconciliation → "
        "Ajouter un service standard, avec l'adresse",
        "nl": "Een spreadsheet reconciliëren in OpenRefine: Reconciliëren → Reconciliëren "
        "starten → Standaarddienst toevoegen, met het adres",
        "en": "Reconcile a spreadsheet in OpenRefine: Reconcile → Start reconciling → "
        "Add standard service, with the address",
    },
    # --- search and browse (kg_service/web/routes/search.py, browse.py)
    "search": {"fr": "Rechercher", "nl": "Zoeken", "en": "Search"},
    "search_label": {
        "fr": "Rechercher dans le graphe",
        "nl": "Zoeken in de graaf",
        "en": "Search the graph",
    },
    "search_hint": {
        "fr": "Libellés, noms alternatifs, descriptions et définitions, en français, néerlandais "
        "et anglais ; pluriels et accents sont pris en compte, le dernier mot peut être un "
        "début de mot.",
        "nl": "Labels, alternatieve namen, beschrijvingen en definities, in het Frans, "
        "Nederlands en Engels; meervouden en accenten worden herkend, het laatste woord mag "
        "een begin van een woord zijn.",
        "en": "Labels, alternative names, descriptions and definitions, in French, Dutch and "
        "English; plurals and accents are understood, the last word may be the start of a "
        "word.",
    },
    "search_refine": {
        "fr": "Recherche détaillée",
        "nl": "Uitgebreid zoeken",
        "en": "Detailed search",
    },
    "search_suggestions": {"fr": "Suggestions", "nl": "Suggesties", "en": "Suggestions"},
    "search_results": {
        "fr": "{n} résultats pour « {q} »",
        "nl": "{n} resultaten voor ‘{q}’",
        "en": "{n} results for ‘{q}’",
    },
    "search_none": {
        "fr": "Aucun résultat. Essayez un autre mot, ou moins de mots.",
        "nl": "Geen resultaten. Probeer een ander woord, of minder woorden.",
        "en": "No results. Try another word, or fewer words.",
    },
    "search_matched": {"fr": "trouvé dans", "nl": "gevonden in", "en": "found in"},
    "search_failed": {
        "fr": "La recherche n'a pas pu être faite",
        "nl": "De zoekopdracht kon niet worden uitgevoerd",
        "en": "The search could not be done",
    },
    "all_languages": {"fr": "toutes", "nl": "alle", "en": "all"},
    "all_classes": {"fr": "toutes", "nl": "alle", "en": "all"},
    "previous": {"fr": "Précédent", "nl": "Vorige", "en": "Previous"},
    "next": {"fr": "Suivant", "nl": "Volgende", "en": "Next"},
    "page_of": {"fr": "Page {n} sur {m}", "nl": "Pagina {n} van {m}", "en": "Page {n} of {m}"},
    "pages": {"fr": "Pages", "nl": "Pagina's", "en": "Pages"},
    "browse_count": {
        "fr": "{n} instances, par ordre alphabétique",
        "nl": "{n} instanties, in alfabetische volgorde",
        "en": "{n} instances, in alphabetical order",
    },
    "browse_none": {"fr": "Aucune instance.", "nl": "Geen instanties.", "en": "No instances."},
    "browse_class": {
        "fr": "La classe dans l'ontologie",
        "nl": "De klasse in de ontologie",
        "en": "The class in the ontology",
    },
    "browse_list": {
        "fr": "Liste des instances",
        "nl": "Lijst van de instanties",
        "en": "List of the instances",
    },
    # --- the download and catalogue pages
    "downloads_intro": {
        "fr": "Le graphe complet, tel que construit et publié : chaque fichier avec sa taille "
        "et son empreinte SHA-256. Les fichiers .gz sont compressés avec gzip. Ces fichiers "
        "décrivent la version publiée ; les écritures faites depuis par le point SPARQL n'y "
        "figurent pas (interrogez /sparql pour l'état actuel).",
        "nl": "De volledige graaf zoals gebouwd en gepubliceerd: elk bestand met zijn grootte "
        "en SHA-256-vingerafdruk. De .gz-bestanden zijn met gzip gecomprimeerd. Deze bestanden "
        "beschrijven de gepubliceerde versie; wat sindsdien via het SPARQL-eindpunt is "
        "geschreven, staat er niet in (bevraag /sparql voor de huidige stand).",
        "en": "The whole graph as built and published: each file with its size and SHA-256 "
        "digest. The .gz files are gzip-compressed. These files are the published release; "
        "writes made since through the SPARQL endpoint are not in them (query /sparql for "
        "the current state).",
    },
    "file": {"fr": "Fichier", "nl": "Bestand", "en": "File"},
    "format": {"fr": "Format", "nl": "Formaat", "en": "Format"},
    "size": {"fr": "Taille (octets)", "nl": "Grootte (bytes)", "en": "Size (bytes)"},
    "size_readable": {"fr": "Taille", "nl": "Grootte", "en": "Size"},
    "copy_button": {"fr": "Copier", "nl": "Kopiëren", "en": "Copy"},
    "copied": {"fr": "Copié", "nl": "Gekopieerd", "en": "Copied"},
    "copy_hash_of": {
        "fr": "Copier l'empreinte SHA-256 de {name}",
        "nl": "De SHA-256-vingerafdruk van {name} kopiëren",
        "en": "Copy the SHA-256 digest of {name}",
    },
    "hash_full": {
        "fr": "Empreinte complète au survol ou avec le bouton Copier.",
        "nl": "De volledige vingerafdruk verschijnt bij aanwijzen of met de knop Kopiëren.",
        "en": "The full digest shows on hover, or use the Copy button.",
    },
    "graphs": {"fr": "Graphes nommés", "nl": "Benoemde grafen", "en": "Named graphs"},
    "yes": {"fr": "oui", "nl": "ja", "en": "yes"},
    "no": {"fr": "non (fusionnés)", "nl": "nee (samengevoegd)", "en": "no (merged)"},
    "publisher": {"fr": "Éditeur", "nl": "Uitgever", "en": "Publisher"},
    "license": {"fr": "Licence", "nl": "Licentie", "en": "Licence"},
    "themes": {"fr": "Thèmes", "nl": "Thema's", "en": "Themes"},
    "spatial": {"fr": "Couverture spatiale", "nl": "Ruimtelijke dekking", "en": "Spatial coverage"},
    "temporal": {
        "fr": "Couverture temporelle",
        "nl": "Temporele dekking",
        "en": "Temporal coverage",
    },
    "modified": {"fr": "Modifié le", "nl": "Gewijzigd op", "en": "Modified"},
    "distributions": {"fr": "Distributions", "nl": "Distributies", "en": "Distributions"},
    "service": {"fr": "Service de données", "nl": "Datadienst", "en": "Data service"},
    "metadata": {"fr": "Métadonnées", "nl": "Metadata", "en": "Metadata"},
    # --- the timeline page (kg_service/web/routes/timeline.py)
    "timeline": {"fr": "Chronologie", "nl": "Tijdlijn", "en": "Timeline"},
    "timeline_intro": {
        "fr": "L'histoire de la coopération Benelux telle que le graphe la connaît : les étapes "
        "et les accords, par année de signature et d'entrée en vigueur.",
        "nl": "De geschiedenis van de Benelux-samenwerking zoals de graaf die kent: de mijlpalen "
        "en de overeenkomsten, per jaar van ondertekening en van inwerkingtreding.",
        "en": "The history of Benelux cooperation as the graph knows it: the milestones and the "
        "agreements, by year of signature and of entry into force.",
    },
    "timeline_milestone": {"fr": "Étape", "nl": "Mijlpaal", "en": "Milestone"},
    "timeline_signed": {"fr": "Signature", "nl": "Ondertekening", "en": "Signed"},
    "timeline_in_force": {
        "fr": "Entrée en vigueur",
        "nl": "Inwerkingtreding",
        "en": "Entry into force",
    },
    # --- the organisation page (kg_service/web/routes/organisation.py)
    "organisation": {"fr": "Organisation", "nl": "Organisatie", "en": "Organisation"},
    "organisation_intro": {
        "fr": "L'organisation de la coopération Benelux telle que le graphe la connaît : les "
        "institutions de l'Union Benelux, puis la coopération en matière de sécurité "
        "(Senningen), les axes de son plan d'action et ses groupes de travail. Chaque case "
        "mène à sa page.",
        "nl": "De organisatie van de Benelux-samenwerking zoals de graaf die kent: de "
        "instellingen van de Benelux Unie, daarna de samenwerking op het gebied van veiligheid "
        "(Senningen), de assen van haar actieplan en haar werkgroepen. Elk vak leidt naar zijn "
        "pagina.",
        "en": "The organisation of Benelux cooperation as the graph knows it: the institutions "
        "of the Benelux Union, then the security cooperation (Senningen), the axes of its "
        "action plan and its working groups. Each box leads to its page.",
    },
    "organisation_institutions": {
        "fr": "Les institutions",
        "nl": "De instellingen",
        "en": "The institutions",
    },
    "organisation_axes": {
        "fr": "Senningen : les axes du plan d'action",
        "nl": "Senningen: de assen van het actieplan",
        "en": "Senningen: the axes of the action plan",
    },
    "organisation_groups": {
        "fr": "Senningen : les groupes de travail",
        "nl": "Senningen: de werkgroepen",
        "en": "Senningen: the working groups",
    },
    "ui_about_timeline": {
        "fr": "l'histoire de 1944 à aujourd'hui : étapes et accords, par année",
        "nl": "de geschiedenis van 1944 tot nu: mijlpalen en overeenkomsten, per jaar",
        "en": "the history from 1944 to today: milestones and agreements, by year",
    },
    "ui_about_organisation": {
        "fr": "les institutions de l'Union et les groupes Senningen, dessinés",
        "nl": "de instellingen van de Unie en de Senningen-groepen, getekend",
        "en": "the Union's institutions and the Senningen groups, drawn",
    },
    # --- error pages (kg_service/web/app.py): the reason for each status, then what to do
    "error_reason_400": {"fr": "Requête incorrecte", "nl": "Ongeldig verzoek", "en": "Bad request"},
    "error_reason_401": {
        "fr": "Authentification requise",
        "nl": "Authenticatie vereist",
        "en": "Authentication required",
    },
    "error_reason_403": {"fr": "Accès refusé", "nl": "Toegang geweigerd", "en": "Forbidden"},
    "error_reason_404": {"fr": "Page introuvable", "nl": "Pagina niet gevonden", "en": "Not found"},
    "error_reason_405": {
        "fr": "Méthode non autorisée",
        "nl": "Methode niet toegestaan",
        "en": "Method not allowed",
    },
    "error_reason_406": {
        "fr": "Format non disponible",
        "nl": "Formaat niet beschikbaar",
        "en": "Not acceptable",
    },
    "error_reason_409": {"fr": "Conflit", "nl": "Conflict", "en": "Conflict"},
    "error_reason_413": {
        "fr": "Contenu trop volumineux",
        "nl": "Inhoud te groot",
        "en": "Payload too large",
    },
    "error_reason_415": {
        "fr": "Type de contenu non pris en charge",
        "nl": "Inhoudstype niet ondersteund",
        "en": "Unsupported media type",
    },
    "error_reason_422": {
        "fr": "Paramètres invalides",
        "nl": "Ongeldige parameters",
        "en": "Invalid parameters",
    },
    "error_reason_500": {"fr": "Erreur interne", "nl": "Interne fout", "en": "Internal error"},
    "error_reason_501": {
        "fr": "Non disponible ici",
        "nl": "Hier niet beschikbaar",
        "en": "Not implemented",
    },
    "error_reason_502": {
        "fr": "Magasin de données injoignable",
        "nl": "Gegevensopslag onbereikbaar",
        "en": "Bad gateway",
    },
    "error_reason_503": {
        "fr": "Service momentanément indisponible",
        "nl": "Dienst tijdelijk niet beschikbaar",
        "en": "Service unavailable",
    },
    "error_reason_other": {"fr": "Erreur", "nl": "Fout", "en": "Error"},
    "error_help_client": {
        "fr": "Vérifiez l'adresse ou les données envoyées, puis réessayez.",
        "nl": "Controleer het adres of de verzonden gegevens en probeer het opnieuw.",
        "en": "Check the address or the data you sent, then try again.",
    },
    "error_help_404": {
        "fr": "Cette adresse ne correspond à aucune page ni ressource du graphe. Cherchez-la, "
        "ou repartez d'une des pages ci-dessous.",
        "nl": "Dit adres hoort bij geen enkele pagina of bron van de graaf. Zoek ernaar, of "
        "begin opnieuw vanaf een van de pagina's hieronder.",
        "en": "This address matches no page and no resource of the graph. Search for it, or "
        "start again from one of the pages below.",
    },
    "error_help_server": {
        "fr": "Le problème vient du serveur, pas de vous ; réessayez dans un instant.",
        "nl": "Het probleem ligt bij de server, niet bij u; probeer het zo dadelijk opnieuw.",
        "en": "The problem is on the server, not on your side; try again in a moment.",
    },
    "error_details": {
        "fr": "Détails (en anglais)",
        "nl": "Details (in het Engels)",
        "en": "Details",
    },
    "error_links": {"fr": "Continuer vers", "nl": "Verder naar", "en": "Go on to"},
    "validate_error": {
        "fr": "Les données n'ont pas pu être validées ; elles sont conservées ci-dessous pour "
        "être corrigées.",
        "nl": "De gegevens konden niet worden gevalideerd; ze staan hieronder nog, zodat u ze "
        "kunt verbeteren.",
        "en": "The data could not be validated; it is kept below so that you can correct it.",
    },
    # --- the validation pages
    "title": {"fr": "Valider des données", "nl": "Gegevens valideren", "en": "Validate data"},
    "intro": {
        "fr": "Collez ou envoyez des données RDF ; elles sont validées avec les formes SHACL "
        "de benelux-kg (ou les vôtres).",
        "nl": "Plak of upload RDF-gegevens; ze worden gevalideerd met de SHACL-vormen van "
        "benelux-kg (of uw eigen vormen).",
        "en": "Paste or upload RDF data; it is validated against benelux-kg's SHACL shapes "
        "(or your own).",
    },
    "data": {"fr": "Données", "nl": "Gegevens", "en": "Data"},
    "paste": {"fr": "Coller des données", "nl": "Gegevens plakken", "en": "Paste data"},
    "upload": {
        "fr": "ou envoyer des fichiers",
        "nl": "of bestanden uploaden",
        "en": "or upload files",
    },
    "auto": {"fr": "détecter", "nl": "herkennen", "en": "detect"},
    "shapes": {"fr": "Formes SHACL", "nl": "SHACL-vormen", "en": "SHACL shapes"},
    "our_shapes": {
        "fr": "Laisser vide pour utiliser nos formes",
        "nl": "Leeg laten om onze vormen te gebruiken",
        "en": "Leave empty to use our shapes",
    },
    "options": {"fr": "Options", "nl": "Opties", "en": "Options"},
    "inference": {"fr": "Inférence", "nl": "Inferentie", "en": "Inference"},
    "add_ontology": {
        "fr": "Ajouter notre ontologie (sous-classes, …)",
        "nl": "Onze ontologie toevoegen (subklassen, …)",
        "en": "Add our ontology (subclasses, …)",
    },
    "allow_warnings": {
        "fr": "Les avertissements ne rendent pas les données non conformes",
        "nl": "Waarschuwingen maken de gegevens niet non-conform",
        "en": "Warnings do not make the data non-conforming",
    },
    "abort_on_first": {
        "fr": "S'arrêter au premier problème",
        "nl": "Stoppen bij het eerste probleem",
        "en": "Stop at the first problem",
    },
    "submit": {"fr": "Valider", "nl": "Valideren", "en": "Validate"},
    "report": {"fr": "Rapport de validation", "nl": "Validatierapport", "en": "Validation report"},
    "conforms": {
        "fr": "Les données sont conformes.",
        "nl": "De gegevens zijn conform.",
        "en": "The data conforms.",
    },
    "not_conforms": {
        "fr": "Les données ne sont pas conformes.",
        "nl": "De gegevens zijn niet conform.",
        "en": "The data does not conform.",
    },
    "results": {"fr": "résultats", "nl": "resultaten", "en": "results"},
    "result": {"fr": "résultat", "nl": "resultaat", "en": "result"},
    "path": {"fr": "Chemin", "nl": "Pad", "en": "Path"},
    "value": {"fr": "Valeur", "nl": "Waarde", "en": "Value"},
    "shape": {"fr": "Forme", "nl": "Vorm", "en": "Shape"},
    "turtle": {
        "fr": "Le rapport en Turtle",
        "nl": "Het rapport in Turtle",
        "en": "The report in Turtle",
    },
    "again": {
        "fr": "Valider d'autres données",
        "nl": "Andere gegevens valideren",
        "en": "Validate other data",
    },
    "shapes_title": {"fr": "Nos formes SHACL", "nl": "Onze SHACL-vormen", "en": "Our SHACL shapes"},
    "target": {"fr": "Cible", "nl": "Doel", "en": "Target"},
    "label": {"fr": "Libellé", "nl": "Label", "en": "Label"},
    "download": {"fr": "Télécharger", "nl": "Downloaden", "en": "Download"},
    "Violation": {"fr": "Violation", "nl": "Overtreding", "en": "Violation"},
    "Warning": {"fr": "Avertissement", "nl": "Waarschuwing", "en": "Warning"},
    "Info": {"fr": "Information", "nl": "Informatie", "en": "Info"},
    # counted in the report's summary ("4 violations", "1 avertissement")
    "Violation_one": {"fr": "violation", "nl": "overtreding", "en": "violation"},
    "Violation_many": {"fr": "violations", "nl": "overtredingen", "en": "violations"},
    "Warning_one": {"fr": "avertissement", "nl": "waarschuwing", "en": "warning"},
    "Warning_many": {"fr": "avertissements", "nl": "waarschuwingen", "en": "warnings"},
    "Info_one": {"fr": "information", "nl": "melding", "en": "info"},
    "Info_many": {"fr": "informations", "nl": "meldingen", "en": "infos"},
}


def error_reason(status: int, lang: str) -> str:
    """The reason for an HTTP ``status`` in ``lang`` (a generic word for a status not listed)."""
    key = f"error_reason_{status}"
    return t(key if key in _WORDS else "error_reason_other", lang)


#: Units as each language writes them (French: octet, kilo-octet, méga-octet).
_UNITS = {
    "fr": ("o", "ko", "Mo", "Go"),
    "nl": ("B", "kB", "MB", "GB"),
    "en": ("B", "kB", "MB", "GB"),
}


def readable_size(size: int, lang: str) -> str:
    """A byte count as people read it, in ``lang`` (decimal units, 1 kB = 1000 B).

    >>> readable_size(1_234_567, "fr"), readable_size(1_234_567, "en"), readable_size(512, "nl")
    ('1,2\u00a0Mo', '1.2\u00a0MB', '512\u00a0B')
    """
    units = _UNITS.get(lang, _UNITS[DEFAULT])
    value, unit = float(size), 0
    while value >= 1000 and unit < len(units) - 1:
        value, unit = value / 1000, unit + 1
    text = f"{value:.0f}" if unit == 0 or value >= 100 else f"{value:.1f}"
    if lang in ("fr", "nl"):  # a decimal comma
        text = text.replace(".", ",")
    return f"{text}\u00a0{units[unit]}"


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_DCT = "http://purl.org/dc/terms/"
_ORG = "http://www.w3.org/ns/org#"
_PROV = "http://www.w3.org/ns/prov#"
_FOAF = "http://xmlns.com/foaf/0.1/"
_OWL = "http://www.w3.org/2002/07/owl#"
_VCARD = "http://www.w3.org/2006/vcard/ns#"

#: Names of the outside vocabularies' properties our pages show (ours carry rdfs:label in the
#: graph itself); the graph does not label them, so the pages would show bare local names.
_PROPERTIES: dict[str, tuple[str, str, str]] = {  # fr, nl, en
    _RDF + "type": ("type", "type", "type"),
    _RDFS + "label": ("libellé", "label", "label"),
    _RDFS + "comment": ("commentaire", "opmerking", "comment"),
    _RDFS + "seeAlso": ("voir aussi", "zie ook", "see also"),
    _RDFS + "subClassOf": ("sous-classe de", "subklasse van", "subclass of"),
    _RDFS + "subPropertyOf": ("sous-propriété de", "subeigenschap van", "subproperty of"),
    _RDFS + "domain": ("domaine", "domein", "domain"),
    _RDFS + "range": ("portée", "bereik", "range"),
    _RDFS + "isDefinedBy": ("défini par", "gedefinieerd door", "defined by"),
    "http://www.w3.org/2002/07/owl#sameAs": ("identique à", "zelfde als", "same as"),
    "http://www.w3.org/2002/07/owl#inverseOf": ("inverse de", "inverse van", "inverse of"),
    _SKOS + "prefLabel": ("libellé préféré", "voorkeurslabel", "preferred label"),
    _SKOS + "altLabel": ("autre libellé", "alternatief label", "alternative label"),
    _SKOS + "definition": ("définition", "definitie", "definition"),
    _SKOS + "scopeNote": ("note d'application", "toepassingsnotitie", "scope note"),
    _SKOS + "editorialNote": ("note éditoriale", "redactionele notitie", "editorial note"),
    _SKOS + "inScheme": ("dans le schéma", "in schema", "in scheme"),
    _SKOS + "topConceptOf": ("concept de tête de", "topconcept van", "top concept of"),
    _SKOS + "hasTopConcept": ("concept de tête", "topconcept", "top concept"),
    _SKOS + "exactMatch": ("correspondance exacte", "exacte match", "exact match"),
    _DCT + "title": ("titre", "titel", "title"),
    _DCT + "description": ("description", "beschrijving", "description"),
    _DCT + "subject": ("sujet", "onderwerp", "subject"),
    _DCT + "source": ("source", "bron", "source"),
    _DCT + "isPartOf": ("fait partie de", "maakt deel uit van", "part of"),
    _DCT + "hasPart": ("comprend", "omvat", "has part"),
    _DCT + "relation": ("en rapport avec", "verband met", "related to"),
    _DCT + "identifier": ("identifiant", "identificatie", "identifier"),
    _DCT + "date": ("date", "datum", "date"),
    _ORG + "subOrganizationOf": (
        "sous-organisation de",
        "suborganisatie van",
        "sub-organisation of",
    ),
    _ORG + "hasSubOrganization": (
        "a pour sous-organisation",
        "heeft als suborganisatie",
        "has sub-organisation",
    ),
    _ORG + "hasMember": ("a pour membre", "heeft als lid", "has member"),
    _ORG + "memberOf": ("membre de", "lid van", "member of"),
    _PROV + "wasDerivedFrom": ("tiré de", "afgeleid van", "derived from"),
    _PROV + "wasAttributedTo": ("attribué à", "toegeschreven aan", "attributed to"),
    _FOAF + "name": ("nom", "naam", "name"),
    _FOAF + "primaryTopic": ("sujet principal", "hoofdonderwerp", "primary topic"),
    "https://schema.org/name": ("nom", "naam", "name"),
    "https://schema.org/url": ("site web", "website", "website"),
    "https://schema.org/description": ("description", "beschrijving", "description"),
    "https://schema.org/contactPoint": ("point de contact", "contactpunt", "contact point"),
    "https://schema.org/containedInPlace": ("situé dans", "gelegen in", "contained in place"),
    "https://schema.org/telephone": ("téléphone", "telefoon", "telephone"),
    "https://schema.org/keywords": ("mots-clés", "trefwoorden", "keywords"),
    "https://schema.org/text": ("texte", "tekst", "text"),
    _DCT + "created": ("créé le", "aangemaakt op", "created"),
    _DCT + "modified": ("modifié le", "gewijzigd op", "modified"),
    _DCT + "issued": ("publié le", "uitgegeven op", "issued"),
    _DCT + "creator": ("créateur", "maker", "creator"),
    _DCT + "language": ("langue", "taal", "language"),
    _DCT + "license": ("licence", "licentie", "licence"),
    _RDF + "subject": ("sujet", "subject", "subject"),
    _RDF + "predicate": ("prédicat", "predicaat", "predicate"),
    _RDF + "object": ("objet", "object", "object"),
    _OWL + "disjointWith": ("disjointe de", "disjunct met", "disjoint with"),
    _OWL + "members": ("membres", "leden", "members"),
    _OWL + "versionIRI": ("IRI de version", "versie-IRI", "version IRI"),
    _OWL + "versionInfo": ("version", "versie", "version"),
    _SKOS + "hiddenLabel": ("libellé caché", "verborgen label", "hidden label"),
    _ORG + "hasSite": ("a pour site", "heeft als vestiging", "has site"),
    _ORG + "hasPrimarySite": ("site principal", "hoofdvestiging", "primary site"),
    _ORG + "siteOf": ("site de", "vestiging van", "site of"),
    _ORG + "siteAddress": ("adresse du site", "adres van de vestiging", "site address"),
    _VCARD + "hasAddress": ("adresse", "adres", "address"),
    _VCARD + "street-address": ("rue", "straat", "street address"),
    _VCARD + "postal-code": ("code postal", "postcode", "postal code"),
    _VCARD + "locality": ("localité", "plaats", "locality"),
    _FOAF + "givenName": ("prénom", "voornaam", "given name"),
    _FOAF + "familyName": ("nom de famille", "achternaam", "family name"),
    _FOAF + "homepage": ("page d'accueil", "homepage", "homepage"),
    "http://purl.org/vocab/vann/preferredNamespacePrefix": (
        "préfixe préféré",
        "voorkeursprefix",
        "preferred namespace prefix",
    ),
    "http://purl.org/vocab/vann/preferredNamespaceUri": (
        "espace de noms préféré",
        "voorkeursnaamruimte",
        "preferred namespace URI",
    ),
}

#: Names of the outside vocabularies' classes (a resource's types, a search result's kinds),
#: which the graph does not label either.
_CLASSES: dict[str, tuple[str, str, str]] = {  # fr, nl, en
    _OWL + "Class": ("classe", "klasse", "class"),
    _OWL + "ObjectProperty": ("propriété d'objet", "objecteigenschap", "object property"),
    _OWL + "DatatypeProperty": (
        "propriété de données",
        "gegevenseigenschap",
        "datatype property",
    ),
    _OWL + "AnnotationProperty": (
        "propriété d'annotation",
        "annotatie-eigenschap",
        "annotation property",
    ),
    _OWL + "Ontology": ("ontologie", "ontologie", "ontology"),
    _OWL + "AllDisjointClasses": (
        "classes mutuellement disjointes",
        "onderling disjuncte klassen",
        "all disjoint classes",
    ),
    _OWL + "Thing": ("chose", "ding", "thing"),
    _RDFS + "Datatype": ("type de données", "datatype", "datatype"),
    _SKOS + "Concept": ("concept", "concept", "concept"),
    _SKOS + "ConceptScheme": ("schéma de concepts", "conceptschema", "concept scheme"),
    _ORG + "Organization": ("organisation", "organisatie", "organisation"),
    _ORG + "FormalOrganization": (
        "organisation formelle",
        "formele organisatie",
        "formal organisation",
    ),
    _ORG + "OrganizationalUnit": (
        "unité organisationnelle",
        "organisatie-eenheid",
        "organisational unit",
    ),
    _ORG + "Site": ("site", "vestiging", "site"),
    _PROV + "Entity": ("entité", "entiteit", "entity"),
    _PROV + "Plan": ("plan", "plan", "plan"),
    _FOAF + "Agent": ("agent", "actor", "agent"),
    _FOAF + "Document": ("document", "document", "document"),
    _FOAF + "Group": ("groupe", "groep", "group"),
    _FOAF + "Person": ("personne", "persoon", "person"),
    "https://schema.org/ContactPoint": ("point de contact", "contactpunt", "contact point"),
    "https://schema.org/Event": ("événement", "gebeurtenis", "event"),
    _VCARD + "Address": ("adresse", "adres", "address"),
    _DCT + "Location": ("lieu", "locatie", "location"),
    "http://www.w3.org/2006/time#ProperInterval": ("intervalle", "interval", "interval"),
}


def property_label(iri: str, lang: str) -> str | None:
    """The name of an outside vocabulary's property in ``lang``; None for one not listed.

    >>> property_label("http://www.w3.org/ns/org#subOrganizationOf", "nl")
    'suborganisatie van'
    """
    return _name_in(_PROPERTIES, iri, lang)


_XSD = "http://www.w3.org/2001/XMLSchema#"
#: The datatypes a value's tag names on a page ("5 entier", "2008 année").
_DATATYPES: dict[str, tuple[str, str, str]] = {  # fr, nl, en
    _XSD + "integer": ("entier", "geheel getal", "integer"),
    _XSD + "decimal": ("décimal", "decimaal", "decimal"),
    _XSD + "boolean": ("booléen", "booleaans", "boolean"),
    _XSD + "date": ("date", "datum", "date"),
    _XSD + "dateTime": ("date et heure", "datum en tijd", "date and time"),
    _XSD + "gYear": ("année", "jaar", "year"),
    _XSD + "string": ("texte", "tekst", "text"),
    _XSD + "anyURI": ("URI", "URI", "URI"),
}


def datatype_label(iri: str | None, lang: str) -> str | None:
    """The name of an XML Schema datatype in ``lang``; None for one not listed.

    >>> datatype_label("http://www.w3.org/2001/XMLSchema#gYear", "nl")
    'jaar'
    """
    return _name_in(_DATATYPES, iri or "", lang)


def colon(lang: str) -> str:
    """The colon after a label: French sets it off with a no-break space ("Format : …").

    >>> colon("fr"), colon("nl")
    ('\\xa0:', ':')
    """
    return "\u00a0:" if lang == "fr" else ":"


def class_label(iri: str, lang: str) -> str | None:
    """The name of an outside vocabulary's class in ``lang``; None for one not listed.

    >>> class_label("http://www.w3.org/ns/org#FormalOrganization", "fr")
    'organisation formelle'
    """
    return _name_in(_CLASSES, iri, lang)


def _name_in(table: dict[str, tuple[str, str, str]], iri: str, lang: str) -> str | None:
    """The (fr, nl, en) name of ``iri`` in ``table``, in ``lang`` (English for another)."""
    names = table.get(iri)
    return names[LANGUAGES.index(lang) if lang in LANGUAGES else 2] if names else None


#: The words of the query editor's scripts (kg_service/web/static/editor*.js), given to them
#: in the page's language; ``{n}``, ``{label}`` … are filled in by the scripts.
_EDITOR_WORDS: dict[str, dict[str, str]] = {
    "examples": {"fr": "Exemples", "nl": "Voorbeelden", "en": "Examples"},
    "examples_search": {
        "fr": "Rechercher dans les exemples",
        "nl": "Zoeken in de voorbeelden",
        "en": "Search the examples",
    },
    "examples_count": {"fr": "{n} exemples", "nl": "{n} voorbeelden", "en": "{n} examples"},
    "examples_one": {"fr": "1 exemple", "nl": "1 voorbeeld", "en": "1 example"},
    "new_tab": {"fr": "Nouvel onglet", "nl": "Nieuw tabblad", "en": "New tab"},
    "query_text": {"fr": "Requête SPARQL", "nl": "SPARQL-query", "en": "SPARQL query"},
    "suggestions": {"fr": "Suggestions", "nl": "Suggesties", "en": "Suggestions"},
    "rows_per_page": {
        "fr": "Lignes par page",
        "nl": "Rijen per pagina",
        "en": "Rows per page",
    },
    "row_number": {"fr": "Numéro de ligne", "nl": "Rijnummer", "en": "Row number"},
    "endpoint": {"fr": "Point d'accès SPARQL", "nl": "SPARQL-endpoint", "en": "SPARQL endpoint"},
    "examples_none": {
        "fr": "Aucun exemple ne correspond à cette recherche.",
        "nl": "Geen enkel voorbeeld komt overeen met deze zoekopdracht.",
        "en": "No example matches this search.",
    },
    "example_open": {"fr": "Exemple ouvert", "nl": "Geopend voorbeeld", "en": "Open example"},
    # YASGUI's own texts (editor-words.js); DataTables fills in _START_, _END_, _TOTAL_, _MAX_
    "tab_query": {"fr": "Requête", "nl": "Query", "en": "Query"},
    "results": {"fr": "{n} résultats", "nl": "{n} resultaten", "en": "{n} results"},
    "result_one": {"fr": "1 résultat", "nl": "1 resultaat", "en": "1 result"},
    "response": {"fr": "Réponse", "nl": "Antwoord", "en": "Response"},
    "in_seconds": {"fr": "en {s} s", "nl": "in {s} s", "en": "in {s} s"},
    "simple_view": {"fr": "Vue simple", "nl": "Eenvoudige weergave", "en": "Simple view"},
    "ellipse": {"fr": "Abréger", "nl": "Inkorten", "en": "Shorten"},
    "page_size": {"fr": "Lignes par page : ", "nl": "Rijen per pagina: ", "en": "Page size: "},
    "show_all": {"fr": "Tout afficher", "nl": "Alles tonen", "en": "Show all"},
    "download_result": {
        "fr": "Télécharger le résultat",
        "nl": "Resultaat downloaden",
        "en": "Download the result",
    },
    "download_unsupported": {
        "fr": "Ce résultat ne se télécharge pas ici",
        "nl": "Dit resultaat kan hier niet worden gedownload",
        "en": "This result cannot be downloaded here",
    },
    "try_new_window": {
        "fr": "Essayer la requête dans une nouvelle fenêtre",
        "nl": "De query in een nieuw venster proberen",
        "en": "Try the query in a new browser window",
    },
    "share_query": {"fr": "Partager la requête", "nl": "Query delen", "en": "Share the query"},
    "run_query": {"fr": "Exécuter la requête", "nl": "Query uitvoeren", "en": "Run the query"},
    "close_tab": {"fr": "Fermer l'onglet", "nl": "Tabblad sluiten", "en": "Close the tab"},
    "clear_endpoint": {
        "fr": "Effacer l'adresse du point d'accès",
        "nl": "Adres van het endpoint wissen",
        "en": "Clear the endpoint address",
    },
    "table_info": {
        "fr": "Lignes _START_ à _END_ sur _TOTAL_",
        "nl": "Rijen _START_ tot _END_ van _TOTAL_",
        "en": "Rows _START_ to _END_ of _TOTAL_",
    },
    "table_info_empty": {"fr": "Aucune ligne", "nl": "Geen rijen", "en": "No rows"},
    "table_info_filtered": {
        "fr": "(filtrées parmi _MAX_)",
        "nl": "(gefilterd uit _MAX_)",
        "en": "(filtered from _MAX_)",
    },
    "table_empty": {
        "fr": "La requête ne donne aucun résultat",
        "nl": "De query geeft geen resultaten",
        "en": "The query gives no results",
    },
    "table_no_match": {
        "fr": "Aucune ligne ne correspond au filtre",
        "nl": "Geen rij past bij de filter",
        "en": "No row matches the filter",
    },
    "table_search": {"fr": "Filtrer :", "nl": "Filteren:", "en": "Filter:"},
    "filter_results": {
        "fr": "Filtrer les résultats",
        "nl": "Resultaten filteren",
        "en": "Filter the results",
    },
    "page_first": {"fr": "Première page", "nl": "Eerste pagina", "en": "First page"},
    "page_previous": {"fr": "Page précédente", "nl": "Vorige pagina", "en": "Previous page"},
    "page_next": {"fr": "Page suivante", "nl": "Volgende pagina", "en": "Next page"},
    "page_last": {"fr": "Dernière page", "nl": "Laatste pagina", "en": "Last page"},
    "view_table": {"fr": "Tableau", "nl": "Tabel", "en": "Table"},
    "view_response": {"fr": "Réponse brute", "nl": "Ruw antwoord", "en": "Response"},
    "view_chart": {"fr": "Graphique", "nl": "Grafiek", "en": "Chart"},
    "view_timeline": {"fr": "Frise chronologique", "nl": "Tijdlijn", "en": "Timeline"},
    "view_graph": {"fr": "Graphe", "nl": "Graaf", "en": "Graph"},
    "chart_type": {"fr": "Type de graphique", "nl": "Soort grafiek", "en": "Chart type"},
    "chart_bar": {"fr": "Barres", "nl": "Staven", "en": "Bars"},
    "chart_line": {"fr": "Courbe", "nl": "Lijn", "en": "Line"},
    "chart_pie": {"fr": "Secteurs", "nl": "Taart", "en": "Pie"},
    "chart_labels": {"fr": "Libellés", "nl": "Labels", "en": "Labels"},
    "chart_values": {"fr": "Valeurs", "nl": "Waarden", "en": "Values"},
    "chart_described": {
        "fr": "Graphique : {value} par {label}",
        "nl": "Grafiek: {value} per {label}",
        "en": "Chart: {value} by {label}",
    },
    "timeline_described": {
        "fr": "Frise chronologique de {n} éléments",
        "nl": "Tijdlijn met {n} items",
        "en": "Timeline of {n} items",
    },
    "graph_described": {
        "fr": "Graphe de {nodes} nœuds et {edges} liens",
        "nl": "Graaf met {nodes} knopen en {edges} verbindingen",
        "en": "Graph of {nodes} nodes and {edges} links",
    },
    "graph_list": {
        "fr": "Les nœuds et les liens sous forme de liste",
        "nl": "De knopen en verbindingen als lijst",
        "en": "The nodes and links as a list",
    },
    "share": {
        "fr": "Partager et réutiliser",
        "nl": "Delen en hergebruiken",
        "en": "Share and reuse",
    },
    "permalink": {"fr": "Lien permanent", "nl": "Permalink", "en": "Permalink"},
    "permalink_hint": {
        "fr": "Ce lien rouvre cette requête, cette vue et cette langue.",
        "nl": "Deze link opent opnieuw deze query, deze weergave en deze taal.",
        "en": "This link reopens this query, this view and this language.",
    },
    "copy_text": {"fr": "Copier", "nl": "Kopiëren", "en": "Copy"},
    "copied": {"fr": "Copié", "nl": "Gekopieerd", "en": "Copied"},
    "open": {"fr": "Ouvrir", "nl": "Openen", "en": "Open"},
    "use_query": {
        "fr": "Utiliser cette requête",
        "nl": "Deze query gebruiken",
        "en": "Use this query",
    },
    "use_query_hint": {
        "fr": "Le même résultat depuis un terminal, Python ou R :",
        "nl": "Hetzelfde resultaat vanuit een terminal, Python of R:",
        "en": "The same result from a terminal, Python or R:",
    },
    "download": {"fr": "Télécharger", "nl": "Downloaden", "en": "Download"},
    "download_hint": {
        "fr": "Le résultat de la requête dans l'éditeur :",
        "nl": "Het resultaat van de query in de editor:",
        "en": "The result of the query in the editor:",
    },
    "syntax_error": {"fr": "Erreur de syntaxe", "nl": "Syntaxfout", "en": "Syntax error"},
    "query_failed": {
        "fr": "La requête a échoué",
        "nl": "De query is mislukt",
        "en": "The query failed",
    },
    "class": {"fr": "classe", "nl": "klasse", "en": "class"},
    "property": {"fr": "propriété", "nl": "eigenschap", "en": "property"},
    "uses": {"fr": "{n} emplois", "nl": "{n} keer gebruikt", "en": "used {n}×"},
}


def editor_words(lang: str) -> dict[str, str]:
    """The editor scripts' words in ``lang``."""
    return {key: texts.get(lang, texts[DEFAULT]) for key, texts in _EDITOR_WORDS.items()}


def words(lang: str) -> dict[str, str]:
    """Every word of the table in ``lang`` (what a template reads as ``w.key``)."""
    return {key: texts.get(lang) or texts[DEFAULT] for key, texts in _WORDS.items()}


def t(key: str, lang: str) -> str:
    """The UI word ``key`` in ``lang``."""
    words = _WORDS[key]
    return words.get(lang) or words[DEFAULT]


def choose_language(request: Request) -> str:
    """fr, nl or en, as the request asks (parameter, then cookie, then Accept-Language)."""
    for candidate in (request.query_params.get("lang"), request.cookies.get("lang")):
        if candidate in LANGUAGES:
            return candidate
    return _from_accept_language(request.headers.get("accept-language", ""))


def _from_accept_language(header: str) -> str:
    best, best_q = DEFAULT, 0.0
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best


def pick_literal(values, lang: str) -> str | None:  # type: ignore[no-untyped-def]
    """The value in ``lang``, else English, else French, else any (for labels and definitions)."""
    by_lang = {getattr(v, "language", None): v for v in values}
    for wanted in (lang, "en", "fr", "nl", None):
        if wanted in by_lang:
            return str(by_lang[wanted])
    return str(next(iter(values))) if values else None
