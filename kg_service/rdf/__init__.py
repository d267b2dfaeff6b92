"""RDF itself: namespaces, media types and serialisers, content negotiation, parsing."""
