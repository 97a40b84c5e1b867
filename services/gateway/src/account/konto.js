// Pages behind the links in Łącznik's emails: set a new password, accept an invitation, sign
// in with a login link. The link's secret is in the URL fragment, which the browser never
// sends to a server; this script reads it and posts it to the API of the office.
(function () {
  "use strict";
  const prefix = (location.pathname.match(/^(\/t\/[^/]+)\//) || [, ""])[1];
  const page = location.pathname.slice(prefix.length).replace(/\/+$/, "");
  const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
  const $ = (id) => document.getElementById(id);
  const pages = {
    "/konto/nowe-haslo": {
      title: "Ustaw nowe hasło", button: "Zapisz hasło", password: "required",
      api: "/api/v1/identity/auth/password-reset/confirm",
      body: (v) => ({ token, new_password: v.password }),
      done: "Hasło zostało zmienione. Wszystkie wcześniejsze sesje zostały zakończone — zaloguj się nowym hasłem.",
    },
    "/konto/zaproszenie": {
      title: "Przyjmij zaproszenie", button: "Przyjmij zaproszenie", password: "optional", name: true,
      api: "/api/v1/identity/invitations/accept",
      body: (v) => ({ token, display_name: v.name || null, password: v.password || null }),
      done: "Gotowe — konto jest aktywne i jesteś zalogowany(-a).",
    },
    "/konto/logowanie": {
      title: "Logowanie linkiem", button: "Zaloguj się",
      api: "/api/v1/identity/auth/login-link/redeem",
      body: () => ({ token }),
      done: "Zalogowano.",
    },
  };
  const spec = pages[page];
  const show = (text, ok) => {
    const m = $("message");
    m.textContent = text;
    m.className = "message " + (ok ? "ok" : "error");
    m.hidden = false;
  };
  fetch(prefix + "/api/v1/identity/office")
    .then((r) => (r.ok ? r.json() : null))
    .then((o) => { if (o) { $("office").textContent = o.name; document.title = o.short_name + " — konto"; } })
    .catch(() => {});
  if (!spec) { $("title").textContent = "Nie ma takiej strony"; return; }
  $("title").textContent = spec.title;
  $("submit").textContent = spec.button;
  if (!token) { show("W adresie brakuje kodu z wiadomości e-mail. Otwórz link z wiadomości jeszcze raz, w całości.", false); return; }
  $("name-field").hidden = !spec.name;
  $("password-fields").hidden = !spec.password;
  if (spec.password === "optional") {
    $("password-hint").textContent = "Co najmniej 10 znaków. Wolontariusze mogą pominąć hasło i logować się linkiem z e-maila.";
  }
  $("form").hidden = false;
  $("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = { name: $("name").value.trim(), password: $("password").value };
    if (spec.password && v.password !== $("repeat").value) { show("Hasła się różnią.", false); return; }
    if (spec.password === "required" && !v.password) { show("Podaj nowe hasło.", false); return; }
    $("submit").disabled = true;
    try {
      const r = await fetch(prefix + spec.api, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(spec.body(v)),
      });
      if (r.ok) {
        $("form").hidden = true;
        history.replaceState(null, "", location.pathname);
        show(spec.done, true);
        return;
      }
      const p = await r.json().catch(() => ({}));
      const fields = (p.errors || []).map((e) => e.message).join(" ");
      show([p.title, p.detail, fields].filter(Boolean).join(" — ") || "Coś poszło nie tak.", false);
    } catch (e) {
      show("Brak połączenia. Spróbuj ponownie za chwilę.", false);
    }
    $("submit").disabled = false;
  });
})();
