{% raw %}
/* One-key coding on the pages of answer cards (progressive enhancement: without this script the same
   forms post as plain HTML and Alt + letter still works).

   A key acts on the current card by posting one of that card's own forms (the same fields, CSRF token
   and version as a click) with fetch; the server answers as it does a click, with a redirect to the
   page opened at the next card, and that page replaces this one's body without a page load. Focus lands
   on the next card; the confirmation with its undo sits in the sticky bar at the top. */
(function () {
  "use strict";
  var busy = false;
  var FIELDS = /^(INPUT|SELECT|TEXTAREA)$/;
  var ACTIVE = /^(A|BUTTON|SUMMARY)$/;

  function current() {
    return document.querySelector(".answer.current") || document.querySelector(".answer");
  }

  function themesOf(card) {
    try { return JSON.parse(card.getAttribute("data-themes") || "[]"); } catch (e) { return []; }
  }

  function show(card, scroll) {
    card.focus({preventScroll: true});
    if (scroll) { card.scrollIntoView({block: "center"}); }
    var mine = themesOf(card);
    document.querySelectorAll("#keymap [data-theme]").forEach(function (item) {
      item.classList.toggle("on", mine.indexOf(item.getAttribute("data-theme")) >= 0);
    });
  }

  /* make ``card`` the current one: its class, the Alt shortcuts of its buttons, the address (a reload opens it) */
  function choose(card) {
    document.querySelectorAll(".answer.current").forEach(function (old) {
      if (old === card) { return; }
      old.classList.remove("current");
      old.querySelectorAll("button[accesskey]").forEach(function (b) { b.removeAttribute("accesskey"); });
    });
    card.classList.add("current");
    [["button.confirmed", "o"], ["button.wrong", "v"]].forEach(function (pair) {
      var b = card.querySelector(pair[0]);
      if (b) { b.setAttribute("accesskey", pair[1]); }
    });
    var address = new URL(window.location.href);
    address.searchParams.set("cur", card.id);
    address.hash = card.id;
    history.replaceState(null, "", address.toString());
    show(card, true);
  }

  function step(card, by) {
    var cards = Array.prototype.slice.call(document.querySelectorAll(".answer"));
    var next = cards[cards.indexOf(card) + by];
    if (next) { choose(next); return true; }
    var page = document.getElementById(by > 0 ? "next-page" : "prev-page");
    if (page) { window.location.assign(page.href); return true; }
    return false;
  }

  /* the server's answer (the next page, or a message page) in place of this page's body */
  function swap(reply, html) {
    /* the answer's styles carry its own nonce, which this page's policy would refuse: this page keeps its own */
    var doc = new DOMParser().parseFromString(html.replace(/<style[^>]*>[\s\S]*?<\/style>/i, ""), "text/html");
    doc.querySelectorAll("script").forEach(function (s) { s.remove(); });
    document.title = doc.title;
    document.body.replaceWith(document.adoptNode(doc.body));
    var card = document.querySelector(".answer.current");
    if (reply.redirected) {
      history.replaceState(null, "", reply.url.split("#")[0] + (card ? "#" + card.id : ""));
    }
    reveal();
    if (card) {
      show(card, true);
    } else {
      var heading = document.querySelector("#error-message, h1");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }
  }

  /* post ``form`` (with ``extra`` fields) as a click would; false when there is no such form */
  function send(form, extra) {
    if (!form) { return false; }
    if (busy) { return true; }
    busy = true;
    var data = new URLSearchParams(new FormData(form));
    Object.keys(extra || {}).forEach(function (name) { data.set(name, extra[name]); });
    document.body.setAttribute("aria-busy", "true");
    fetch(form.action, {method: "POST", body: data, credentials: "same-origin"})
      .then(function (reply) { return reply.text().then(function (html) { swap(reply, html); }); })
      .catch(function () { form.submit(); })  /* a decision already stored is refused as a conflict, never stored twice */
      .then(function () { busy = false; });
    return true;
  }

  function formOf(card, selector) {
    var button = card.querySelector(selector);
    return button ? button.form : null;
  }

  function act(key, card) {
    if (key === "ArrowDown" || key === "s") { return step(card, 1); }
    if (key === "ArrowUp") { return step(card, -1); }
    if (key === "u" || key === "Backspace") {
      var undo = document.getElementById("done-undo");
      return send(undo ? undo.form : null, {confirmed: "1"});  /* the undo itself can be undone the same way */
    }
    if (key === "Enter" || key === "k") { return send(formOf(card, "button.confirmed")); }
    if (key === "0") { return send(formOf(card, "button.wrong")); }
    if (!/^[1-9a-z]$/.test(key)) { return false; }
    var item = document.querySelector('#keymap [data-shortcut="' + key + '"]');
    if (!item) { return false; }
    var theme = item.getAttribute("data-theme");
    if (theme === card.getAttribute("data-context") && card.querySelector("button.confirmed")) {
      return send(formOf(card, "button.confirmed"));  /* the card's own theme: a confirmation, not a move to itself */
    }
    var move = card.querySelector("form.move");
    if (!move) { return false; }
    move.elements.namedItem("to").value = theme;
    return send(move);
  }

  function reveal() {
    ["keys-help", "keymap"].forEach(function (id) {
      var element = document.getElementById(id);
      if (element) { element.hidden = false; }
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.shiftKey || event.isComposing) { return; }
    var target = event.target;
    if (target && (target.isContentEditable || FIELDS.test(target.tagName))) { return; }
    if (event.key === "Enter" && target && ACTIVE.test(target.tagName)) { return; }  /* a focused link or button does its own thing */
    var card = current();
    if (!card) { return; }
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (act(key, card)) { event.preventDefault(); }
  });

  reveal();
  var first = document.querySelector(".answer.current");
  if (first) { show(first, false); }
}());
{% endraw %}
