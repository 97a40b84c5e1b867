// The page behind the link at the foot of every email a person may refuse: stop that kind of
// mail with one button, or choose for each kind whether to get each message, one email a day,
// or none. The link's signed token is in the query string (RFC 8058 one-click unsubscribe posts
// to this same address), and this script sends it to the office's API. Nothing from the API is
// ever inserted as HTML.
(function () {
  "use strict";
  const prefix = (location.pathname.match(/^(\/t\/[^/]+)\//) || [, ""])[1];
  const $ = (id) => document.getElementById(id);
  const token = new URLSearchParams(location.search).get("token") || "";
  const api = (path, options) =>
    fetch(prefix + path + "?token=" + encodeURIComponent(token), {
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      ...options,
    });
  const FREQUENCIES = [
    ["instant", "każda wiadomość"],
    ["daily", "podsumowanie dnia"],
    ["off", "nie wysyłaj"],
  ];
  const OFFLINE = {
    title: "Brak połączenia",
    detail: "Nie udało się połączyć z ośrodkiem. Sprawdź połączenie z internetem i spróbuj ponownie.",
  };

  fetch(prefix + "/api/v1/identity/office", { headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : null))
    .then((office) => {
      if (!office) return;
      document.querySelectorAll("[data-office=name]").forEach((el) => { el.textContent = office.name; });
    })
    .catch(() => {});

  const done = (text) => {
    $("done-text").textContent = text;
    $("done").hidden = false;
    $("failed").hidden = true;
    $("done").focus();
  };
  const failed = (problem) => {
    $("failed-title").textContent = problem.title || "Coś poszło nie tak";
    $("failed-detail").textContent = problem.detail || "Spróbuj ponownie za chwilę.";
    $("failed").hidden = false;
    $("done").hidden = true;
  };

  const show = (prefs) => {
    $("address").textContent = prefs.address;
    $("always").textContent = prefs.always;
    const box = $("choices");
    box.replaceChildren();
    prefs.choices.forEach((choice) => {
      const group = document.createElement("fieldset");
      const legend = document.createElement("legend");
      legend.textContent = choice.label.charAt(0).toUpperCase() + choice.label.slice(1);
      group.append(legend);
      FREQUENCIES.forEach(([value, label]) => {
        if (value === "daily" && !choice.daily_allowed) return;
        if (value === "instant" && !choice.daily_allowed) label = "wysyłaj";
        const row = document.createElement("div");
        row.className = "check";
        const input = document.createElement("input");
        input.type = "radio";
        input.name = choice.category;
        input.value = value;
        input.id = choice.category + "-" + value;
        input.checked = choice.frequency === value;
        const text = document.createElement("label");
        text.htmlFor = input.id;
        text.textContent = label;
        row.append(input, text);
        group.append(row);
      });
      box.append(group);
    });
  };

  if (!token) {
    $("working").hidden = true;
    failed({
      title: "Niepełny link",
      detail: "W adresie brakuje kodu z wiadomości e-mail. Otwórz link z wiadomości jeszcze raz, w całości.",
    });
    return;
  }

  api("/api/v1/notifications/link-preferences")
    .then(async (r) => {
      $("working").hidden = true;
      if (!r.ok) { failed(await r.json().catch(() => ({}))); return; }
      const prefs = await r.json();
      show(prefs);
      $("settings").hidden = false;
      const linkKinds = prefs.choices.filter((c) => prefs.link_categories.includes(c.category));
      $("link-kinds").textContent = linkKinds.map((c) => c.label).join(", ");
    })
    .catch(() => { $("working").hidden = true; failed(OFFLINE); });

  $("unsubscribe").addEventListener("click", async () => {
    const button = $("unsubscribe");
    button.disabled = true;
    try {
      const r = await api("/api/v1/notifications/unsubscribe", { method: "POST" });
      if (!r.ok) { failed(await r.json().catch(() => ({}))); button.disabled = false; return; }
      done((await r.json()).message);
      const again = await api("/api/v1/notifications/link-preferences");
      if (again.ok) show(await again.json());
    } catch (e) {
      failed(OFFLINE);
      button.disabled = false;
    }
  });

  $("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const choices = [...document.querySelectorAll("#choices input:checked")].map((input) => ({
      category: input.name,
      frequency: input.value,
    }));
    const save = $("save");
    save.disabled = true;
    try {
      const r = await api("/api/v1/notifications/link-preferences", {
        method: "PUT",
        body: JSON.stringify({ choices }),
      });
      if (r.ok) {
        show(await r.json());
        done("Zapisano ustawienia powiadomień.");
      } else {
        failed(await r.json().catch(() => ({})));
      }
    } catch (e) {
      failed(OFFLINE);
    }
    save.disabled = false;
  });
})();
