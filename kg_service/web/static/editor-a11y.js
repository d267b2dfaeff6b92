// YASGUI's markup, made to pass axe-core: names for the endpoint field and the table's page
// size, a header for the table's row numbers, a tab list that holds only tabs (its "+"
// button moves to our toolbar). Called whenever YASGUI draws: each change is made once.

export function fixMarkup(root, words) {
  root.querySelectorAll(".controlbar input.autocomplete").forEach((input) => {
    input.setAttribute("aria-label", words.endpoint);
  });
  // a tablist may own nothing but tabs: the "+" of YASGUI sits hidden, ours does its job
  root.querySelectorAll(".tabsList .addTab").forEach((button) => {
    button.parentElement.hidden = true;
  });
  // the query text is a multi-line text box (its suggestion list hangs from it)
  root.querySelectorAll(".CodeMirror-code[contenteditable=true]:not([role=textbox])").forEach((box) => {
    box.setAttribute("role", "textbox");
    box.setAttribute("aria-multiline", "true");
  });
  root.querySelectorAll(".CodeMirror-hints:not([aria-label])").forEach((list) => {
    list.setAttribute("aria-label", words.suggestions);
  });
  // a view that cannot draw the result (the table of an ASK answer) is greyed by a class
  // only: say it is disabled, as it looks (axe then does not ask greyed text for contrast)
  root.querySelectorAll(".yasr .yasr_btn").forEach((button) => {
    const disabled = String(button.classList.contains("disabled"));
    if (button.getAttribute("aria-disabled") !== disabled) {
      button.setAttribute("aria-disabled", disabled);
    }
  });
  root.querySelectorAll(".yasr select.tableSizer:not([aria-label])").forEach((select) => {
    select.setAttribute("aria-label", words.rows_per_page);
  });
  root.querySelectorAll(".yasr table.dataTable thead th").forEach((th) => {
    if (!th.textContent.trim()) {
      const name = Object.assign(document.createElement("span"), { className: "visually-hidden" });
      name.textContent = words.row_number;
      th.append(name);
    }
  });
}

// Our "new tab" button, in the toolbar above the editor
export function addTabButton(yasgui, words) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "tool";
  button.id = "new-tab";
  button.textContent = words.new_tab;
  button.addEventListener("click", () => {
    const tab = yasgui.addTab(true);
    yasgui.selectTabId(tab.getId());
  });
  document.getElementById("editor-tools").append(button);
}
