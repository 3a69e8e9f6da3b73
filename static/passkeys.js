/* Passkeys and security keys (WebAuthn): each box marked data-passkey ("add" on Settings, "second" on the
   second-factor step, "alone" on the sign-in page) asks its data-options address for options (JSON, with the
   CSRF token in X-CSRF-Token), runs navigator.credentials.create or .get, sends the answer to data-verify
   with the ticket that came with the options, and then goes where the answer says. Without JavaScript, or
   without WebAuthn, the boxes stay hidden and the notes marked .passkey-nojs say what to do instead. */
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-passkey]");
  if (!boxes.length) { return; }
  var able = !!(window.PublicKeyCredential && navigator.credentials && window.fetch && window.JSON);

  function bytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { out[i] = raw.charCodeAt(i); }
    return out.buffer;
  }

  function b64url(buffer) {
    var view = new Uint8Array(buffer), s = "";
    for (var i = 0; i < view.length; i += 1) { s += String.fromCharCode(view[i]); }
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      var out = { type: d.type || "public-key", id: bytes(d.id) };
      if (d.transports) { out.transports = d.transports; }
      return out;
    });
  }

  /* The server's options (WebAuthn's JSON forms) as the browser's API wants them: bytes where bytes go. */
  function creationOptions(o) {
    o.challenge = bytes(o.challenge);
    o.user.id = bytes(o.user.id);
    o.excludeCredentials = descriptors(o.excludeCredentials);
    return o;
  }

  function requestOptions(o) {
    o.challenge = bytes(o.challenge);
    o.allowCredentials = descriptors(o.allowCredentials);
    return o;
  }

  /* The authenticator's answer as JSON (WebAuthn's RegistrationResponseJSON / AuthenticationResponseJSON). */
  function answer(credential) {
    var r = credential.response, out = {
      id: credential.id, rawId: b64url(credential.rawId), type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: b64url(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = b64url(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = b64url(r.authenticatorData);
      out.response.signature = b64url(r.signature);
      out.response.userHandle = r.userHandle ? b64url(r.userHandle) : null;
    }
    return out;
  }

  function post(box, url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRF-Token": box.getAttribute("data-csrf") }
    }).then(function (r) {
      return r.json().then(function (d) { return r.ok ? d : Promise.reject(d); },
                           function () { return Promise.reject({}); });
    });
  }

  function start(box) {
    if (box.getAttribute("data-passkey-ready")) { return; }  // the script may be on a page twice
    box.setAttribute("data-passkey-ready", "1");
    var kind = box.getAttribute("data-passkey");
    var text = JSON.parse(box.getAttribute("data-text") || "{}");
    var status = box.querySelector(".passkey-status");
    var button = box.querySelector(".passkey-go");
    var nameField = box.querySelector(".passkey-name");
    function say(message) { if (status) { status.textContent = message || ""; } }
    if (!able) { box.hidden = false; button.disabled = true; say(text.unsupported); return; }
    box.hidden = false;

    button.addEventListener("click", function () {
      var name = nameField ? nameField.value : "";
      var ticket = "";
      button.disabled = true;
      say("");
      post(box, box.getAttribute("data-options"), { name: name }).then(function (d) {
        ticket = d.ticket;
        if (kind === "add") { return navigator.credentials.create({ publicKey: creationOptions(d.publicKey) }); }
        return navigator.credentials.get({ publicKey: requestOptions(d.publicKey) });
      }).then(function (credential) {
        if (!credential) { return Promise.reject({ error: text.cancelled }); }
        return post(box, box.getAttribute("data-verify"),
                    { ticket: ticket, name: name, next: box.getAttribute("data-next") || "", credential: answer(credential) });
      }).then(function (d) {
        window.location.assign(d.redirect || "/home");
      }).catch(function (e) {
        button.disabled = false;
        if (e && e.name === "NotAllowedError") { say(text.cancelled); return; }
        if (e && e.redirect) { window.location.assign(e.redirect); return; }
        say((e && e.error) || text.failed);
      });
    });
  }

  for (var i = 0; i < boxes.length; i += 1) { start(boxes[i]); }
  if (able) {
    var notes = document.querySelectorAll(".passkey-nojs");
    for (var j = 0; j < notes.length; j += 1) { notes[j].hidden = true; }
  }
})();
