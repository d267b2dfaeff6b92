// The live syntax check: a moment after typing stops (editor.js calls check), the server says
// whether the query parses, in the same words as the endpoint's error messages
// (kg_service.query.syntax), and the line it names is marked. Nothing is evaluated.

const MARK = "kg-syntax-line";

export class SyntaxCheck {
  constructor({ yasgui, cfg }) {
    this.yasgui = yasgui;
    this.url = cfg.checkUrl;
    this.words = cfg.words;
    this.status = document.getElementById("syntax-status");
    this.marked = null;
    this.last = null;
  }

  async check() {
    const yasqe = this.yasgui.getTab().getYasqe();
    const text = yasqe.getValue();
    if (text === this.last && yasqe === this.lastIn) return; // already said
    this.last = text;
    this.lastIn = yasqe;
    this.pending?.abort();
    this.pending = new AbortController();
    try {
      const response = await fetch(this.url, {
        method: "POST",
        body: new URLSearchParams({ query: text }),
        signal: this.pending.signal,
      });
      if (response.ok) this.show(yasqe, await response.json());
    } catch (error) {
      if (error.name !== "AbortError") this.show(yasqe, { valid: null });
    }
  }

  show(yasqe, answer) {
    if (this.marked) this.marked.yasqe.removeLineClass(this.marked.line, "background", MARK);
    this.marked = null;
    yasqe.getWrapperElement().after(this.status); // right under the editor it speaks of
    if (answer.valid !== false) {
      this.status.textContent = "";
      this.status.classList.remove("has-error");
      return;
    }
    this.status.textContent = `${this.words.syntax_error}: ${answer.message}`;
    this.status.classList.add("has-error");
    if (answer.line && answer.line <= yasqe.lineCount()) {
      this.marked = { yasqe, line: answer.line - 1 };
      yasqe.addLineClass(answer.line - 1, "background", MARK);
    }
  }
}
