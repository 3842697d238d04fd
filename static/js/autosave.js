// Keeps what is typed into the article form as the person's own draft: on the server every few seconds, and in
// this browser while the server cannot take it (session ended, no network). Offers the drafts back; restoring
// only fills the form, which is then saved as usual, through the check for someone else's save (articles/drafts.py).
(function () {
  "use strict";
  var panel = document.getElementById("autosave");
  var form = panel && panel.closest("form");
  if (!form || !window.fetch) {
    return;
  }
  var texts = panel.dataset;
  var keyInput = form.elements.autosave_key;
  var statusLine = document.querySelector(".autosave-status");
  var EVERY_MS = 5000;
  var STORE = "newsroom-draft:";
  var prefix = STORE + texts.user + ":" + texts.scope + ":";
  var lastSent = null; // what the server has of this form, as [version, fields] in JSON
  var pending = null;
  var busy = false;
  var submitting = false;

  function each(list, callback) {
    Array.prototype.forEach.call(list, callback);
  }

  function editors() {
    var all = window.CKEDITOR ? window.CKEDITOR.instances : {};
    return Object.keys(all).map(function (name) { return all[name]; });
  }

  function skipped(element) {
    return !element.name || element.disabled || /^(file|submit|button|reset|image|hidden|password)$/.test(element.type) ||
      /^(resolve_|csrfmiddlewaretoken$)/.test(element.name);
  }

  function serialise(asServed) {
    if (!asServed) {
      editors().forEach(function (editor) { editor.updateElement(); }); // CKEditor writes its text to the textarea
    }
    var fields = {};
    each(form.elements, function (element) {
      if (skipped(element)) {
        return;
      }
      if (element.type === "checkbox") {
        fields[element.name] = element.checked;
      } else if (element.type === "radio") {
        if (element.checked) {
          fields[element.name] = element.value;
        }
      } else if (element.tagName === "SELECT") {
        fields[element.name] = Array.prototype.map.call(element.selectedOptions, function (option) {
          return [option.value, option.text];
        });
      } else {
        fields[element.name] = element.value;
      }
    });
    return fields;
  }

  function fill(fields) {
    Object.keys(fields).forEach(function (name) {
      var element = form.elements[name];
      var value = fields[name];
      if (!element || (element.type && skipped(element))) {
        return;
      }
      if (element.type === "checkbox") {
        element.checked = value === true;
      } else if (element.tagName === "SELECT") {
        if (!Array.isArray(value)) {
          return;
        }
        var chosen = {};
        value.forEach(function (choice) {
          chosen[choice[0]] = true;
          var known = Array.prototype.some.call(element.options, function (option) { return option.value === choice[0]; });
          if (!known) {
            element.add(new Option(choice[1], choice[0])); // an autocomplete lists only what is chosen
          }
        });
        each(element.options, function (option) { option.selected = chosen[option.value] === true; });
      } else {
        element.value = value;
      }
      (element.dispatchEvent ? element : element[0]).dispatchEvent(new Event("change", { bubbles: true }));
    });
    editors().forEach(function (editor) {
      var name = editor.element.$.name;
      if (typeof fields[name] === "string") {
        editor.setData(fields[name]);
      }
    });
  }

  function version(name) {
    var input = form.elements[name];
    return input && input.value !== "" ? Number(input.value) : null;
  }

  function comparable(value) {
    return JSON.stringify(Array.isArray(value) ? value.map(function (choice) { return choice[0]; }) : value);
  }

  function holdsTheSame(draft, fields) {
    return Object.keys(draft).every(function (name) { return comparable(draft[name]) === comparable(fields[name]); });
  }

  // --- the copy in this browser: written before each send, removed once the server has the same ---

  function keepLocally(draft) {
    try {
      window.localStorage.setItem(prefix + draft.key, JSON.stringify(draft));
    } catch (error) { /* no storage, or full: the server copy is all there is */ }
  }

  function forgetLocally(key, at) {
    try {
      var kept = JSON.parse(window.localStorage.getItem(prefix + key));
      if (kept && (at === undefined || kept.at === at)) {
        window.localStorage.removeItem(prefix + key);
      }
    } catch (error) { /* nothing kept */ }
  }

  function localDrafts() {
    var found = [];
    var oldest = Date.now() - Number(texts.days) * 86400000;
    try {
      var store = window.localStorage;
      for (var index = store.length - 1; index >= 0; index--) {
        var name = store.key(index);
        var copy = name.indexOf(STORE) === 0 ? JSON.parse(store.getItem(name)) : null;
        if (copy && !(copy.at > oldest)) {
          store.removeItem(name); // kept as long as the server keeps drafts
        } else if (copy && name.indexOf(prefix) === 0) {
          found.push(copy);
        }
      }
    } catch (error) { /* no storage */ }
    return found;
  }

  // --- the server ---

  function csrfToken() {
    // Read at each request: signing in again in another tab gives a new token.
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : form.elements.csrfmiddlewaretoken.value;
  }

  function send(method, key, body, keepalive) {
    return fetch(texts.url.replace(/[0-9a-f]{32}\/$/, key + "/"), {
      method: method,
      body: body,
      keepalive: keepalive === true,
      credentials: "same-origin",
      redirect: "manual", // an ended session answers with the login page: that is no success
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() }
    });
  }

  function say(message, failed, withLogin) {
    if (!statusLine) {
      return;
    }
    statusLine.hidden = false;
    statusLine.querySelector("span").textContent = message;
    statusLine.querySelector("a").hidden = !withLogin;
    statusLine.classList.toggle("autosave-status--failed", failed);
  }

  function save(urgent) {
    if (submitting || (busy && urgent !== true)) {
      return;
    }
    var draft = { key: keyInput.value, base_version: version("base_version"), fields: serialise(), at: Date.now() };
    var sent = JSON.stringify([draft.base_version, draft.fields]);
    if (sent === lastSent || sent === pending) {
      return;
    }
    keepLocally(draft);
    busy = true;
    pending = sent;
    var body = JSON.stringify({ base_version: draft.base_version, fields: draft.fields });
    send("POST", draft.key, body, urgent === true && new Blob([body]).size < 60000) // keepalive carries 64 KB
      .then(function (response) {
        if (response.ok) {
          return response.json().then(function (answer) {
            lastSent = sent;
            forgetLocally(draft.key, draft.at);
            say(texts.saved.replace("%(time)s", answer.saved_at), false, false);
          });
        }
        if (response.status === 400 || response.status === 413) {
          lastSent = sent; // refused as it is: the copy in this browser stays, the next change is tried
          return response.json().then(function (answer) { say(answer.error, true, false); });
        }
        say(texts.session, true, true);
      })
      .catch(function () { say(texts.offline, true, false); })
      .then(function () {
        busy = false;
        pending = null;
      });
  }

  // --- the offers ---

  function offerItem(offer, baseVersion) {
    var item = document.getElementById("autosave-offer").content.firstElementChild.cloneNode(true);
    var title = typeof offer.fields.title === "string" && offer.fields.title.trim() ? offer.fields.title : texts.untitled;
    var when = offer.local ? texts.inBrowser.replace("%(time)s", offer.local) : texts.onServer.replace("%(time)s", offer.saved_at);
    item.querySelector(".autosave-offer__what").textContent = "«" + title + "» — " + when;
    item.querySelector(".autosave-offer__note").hidden = offer.base_version === baseVersion;
    item.querySelector("[data-restore]").addEventListener("click", function () {
      fill(offer.fields);
      if (offer.base_version !== null && form.elements.base_version) {
        // Saved against the version it was typed on, so that a save made since shows as a conflict to merge.
        form.elements.base_version.value = offer.base_version;
        if (form.elements.seen_version) {
          form.elements.seen_version.value = "";
        }
      }
      keyInput.value = offer.key; // from now on this form writes that draft
      lastSent = null;
      withdraw(item);
      (form.elements.title || form).focus();
    });
    item.querySelector("[data-discard]").addEventListener("click", function () {
      forgetLocally(offer.key);
      send("DELETE", offer.key, null).catch(function () {});
      withdraw(item);
    });
    return item;
  }

  function withdraw(item) {
    var list = item.parentNode;
    list.removeChild(item);
    panel.hidden = list.children.length === 0;
  }

  function showOffers(current) {
    var offers = {};
    JSON.parse(document.getElementById("autosave-offers").textContent).forEach(function (offer) {
      offers[offer.key] = offer;
    });
    localDrafts().forEach(function (copy) {
      if (copy.key !== keyInput.value) { // newer than the server's, which never got it
        var when = new Date(copy.at).toLocaleString(document.documentElement.lang, { dateStyle: "short", timeStyle: "short" });
        offers[copy.key] = { key: copy.key, base_version: copy.base_version, fields: copy.fields, local: when };
      }
    });
    var list = panel.querySelector(".autosave-offers");
    Object.keys(offers).forEach(function (key) {
      if (!holdsTheSame(offers[key].fields, current)) {
        list.appendChild(offerItem(offers[key], version("base_version")));
      }
    });
    panel.hidden = list.children.length === 0;
  }

  function whenEditorsReady(callback, tries) {
    var waiting = Array.prototype.some.call(document.querySelectorAll("textarea[data-type=ckeditortype]"), function (textarea) {
      var editor = window.CKEDITOR && window.CKEDITOR.instances[textarea.id];
      return !editor || editor.status !== "ready";
    });
    if (waiting && tries < 300) {
      setTimeout(function () { whenEditorsReady(callback, tries + 1); }, 100);
      return;
    }
    callback();
  }

  // At once, not when the editors are ready: a form saved while they load holds everything typed, and leaving
  // the page after that save must not keep the same text again as a draft.
  form.addEventListener("submit", function () {
    submitting = true;
    form.elements.csrfmiddlewaretoken.value = csrfToken();
  });

  var served = serialise(true); // the form as the server sent it, before anything is typed
  whenEditorsReady(function () {
    editors().forEach(function (editor) {
      served[editor.element.$.name] = editor.getData(); // as the editor writes what it was given
    });
    if (!("dirty" in texts)) {
      lastSent = JSON.stringify([version("base_version"), served]); // nothing to keep yet
    }
    var current = serialise();
    showOffers(current);
    setInterval(save, EVERY_MS);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        save(true);
      }
    });
    window.addEventListener("pagehide", function () { save(true); });
  }, 0);
})();
