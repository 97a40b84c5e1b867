// The public volunteer pages of an office: the sign-up form, the confirmation of a sign-up from
// the emailed link, a parent's or guardian's consent from theirs, and an offer of work with its
// answer. Everything they show comes
// from the office's own API (same origin); a link's secret is in the URL fragment, which the
// browser never sends to a server, and this script posts it. Nothing from the API is ever
// inserted as HTML.
(function () {
  "use strict";
  const prefix = (location.pathname.match(/^(\/t\/[^/]+)\//) || [, ""])[1];
  const page = document.body.dataset.page;
  const $ = (id) => document.getElementById(id);
  const MIN_AGE = 13;
  const ADULT = 18;

  const get = (path) => fetch(prefix + path, { headers: { Accept: "application/json" } });
  const post = (path, body) =>
    fetch(prefix + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
  const problemOf = (response) => response.json().catch(() => ({}));
  const OFFLINE = {
    title: "Brak połączenia",
    detail: "Nie udało się połączyć z ośrodkiem. Sprawdź połączenie z internetem i spróbuj ponownie.",
  };

  // The office's card: its name in the header, in the data-protection clause, in the title.
  get("/api/v1/identity/office")
    .then((r) => (r.ok ? r.json() : null))
    .then((office) => {
      if (!office) return;
      const address = [office.street_address, [office.postal_code, office.city].filter(Boolean).join(" ")]
        .filter(Boolean)
        .join(", ");
      const values = {
        name: office.name,
        "address-suffix": address ? ", " + address : "",
        "email-suffix": office.email ? " lub pod adresem e-mail " + office.email : "",
      };
      document.querySelectorAll("[data-office]").forEach((el) => {
        const value = values[el.dataset.office];
        if (value !== undefined) el.textContent = value;
      });
      if (office.short_name) document.title = document.title.replace(/Łącznik$/, office.short_name);
    })
    .catch(() => {});

  const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
  const outcome = {
    done(text) {
      $("done-text").textContent = text;
      $("done").hidden = false;
      $("failed").hidden = true;
    },
    failed(problem) {
      $("failed-title").textContent = problem.title || "Coś poszło nie tak";
      $("failed-detail").textContent = problem.detail || "Spróbuj ponownie za chwilę.";
      $("failed").hidden = false;
    },
  };
  const NO_TOKEN = {
    title: "Niepełny link",
    detail: "W adresie brakuje kodu z wiadomości e-mail. Otwórz link z wiadomości jeszcze raz, w całości.",
  };
  // A link's problem (used, expired, invalid) is final; anything else may pass on a retry.
  const isLinkProblem = (status) => status === 400 || status === 404 || status === 410;

  if (page === "potwierdz") {
    const finish = () => { $("working").hidden = true; };
    if (!token) {
      finish();
      outcome.failed(NO_TOKEN);
      $("back").hidden = false;
      return;
    }
    post("/api/v1/volunteers/applications/confirmation", { token })
      .then(async (r) => {
        finish();
        if (r.ok) {
          const confirmed = await r.json();
          history.replaceState(null, "", location.pathname);
          outcome.done(confirmed.message);
          $("guardian-pending").hidden = !confirmed.guardian_consent_pending;
          return;
        }
        outcome.failed(await problemOf(r));
        $("back").hidden = !isLinkProblem(r.status);
      })
      .catch(() => { finish(); outcome.failed(OFFLINE); });
    return;
  }

  if (page === "zgoda-opiekuna") {
    if (!token) { outcome.failed(NO_TOKEN); return; }
    $("consent").hidden = false;
    const agree = $("agree");
    agree.addEventListener("click", async () => {
      agree.disabled = true;
      agree.textContent = "Zapisywanie…";
      try {
        const r = await post("/api/v1/volunteers/guardian-consents", { token });
        if (r.ok) {
          history.replaceState(null, "", location.pathname);
          $("consent").hidden = true;
          outcome.done((await r.json()).message);
          $("done").focus();
          return;
        }
        outcome.failed(await problemOf(r));
        if (isLinkProblem(r.status)) { $("consent").hidden = true; return; }
      } catch (e) {
        outcome.failed(OFFLINE);
      }
      agree.disabled = false;
      agree.textContent = "Wyrażam zgodę";
    });
    return;
  }

  if (page === "oferta") {
    const finish = () => { $("working").hidden = true; };
    if (!token) { finish(); outcome.failed(NO_TOKEN); return; }
    const answer = new URLSearchParams(location.hash.slice(1)).get("answer");
    const dateTime = (iso) =>
      new Date(iso).toLocaleString("pl-PL", {
        timeZone: "Europe/Warsaw", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit",
      });
    const STATUS_TEXT = {
      accepted: "To zadanie jest Twoje. Dziękujemy!",
      declined: "Odmówiłeś(-aś) już tej propozycji. Dziękujemy za odpowiedź.",
      filled: "Dziękujemy! Ktoś inny przyjął już tę propozycję — wszystkie miejsca są zajęte.",
      expired: "Czas na odpowiedź minął. Koordynator zaproponuje Ci coś innym razem.",
      withdrawn: "Ośrodek wycofał tę propozycję.",
    };
    const show = (offer) => {
      $("offer-title").textContent = offer.title;
      $("offer-kind").textContent = offer.kind_name;
      $("offer-when").textContent = offer.when_text;
      $("offer-where").textContent = offer.district ? "dzielnica " + offer.district : "do uzgodnienia";
      $("offer-who").textContent = offer.beneficiary_first_name || "—";
      $("offer-expires").textContent = dateTime(offer.expires_at);
      $("offer-description").textContent = offer.description;
      $("offer-safety").textContent = offer.safety_info || "";
      $("offer-safety-box").hidden = !offer.safety_info;
      const hasContact = Boolean(offer.street_address || offer.phone);
      $("contact-address").textContent = offer.street_address || "—";
      $("contact-phone").textContent = offer.phone || "—";
      $("contact-note").textContent = offer.note || "—";
      $("contact").hidden = !hasContact;
      $("contact-later").hidden = offer.status !== "pending";
      $("offer").hidden = false;
      const open = offer.status === "pending";
      $("answers").hidden = !open;
      if (!open) outcome.done(STATUS_TEXT[offer.status] || "");
    };
    post("/api/v1/needs/offer-links/view", { token })
      .then(async (r) => {
        finish();
        if (!r.ok) { outcome.failed(await problemOf(r)); return; }
        show(await r.json());
        // The email's button only chooses which answer gets the focus: a link scanner that
        // opens the page answers nothing.
        if (answer === "decline") $("decline").focus();
        else if (answer === "accept") $("accept").focus();
      })
      .catch(() => { finish(); outcome.failed(OFFLINE); });
    const respond = (button, path) => async () => {
      $("accept").disabled = true;
      $("decline").disabled = true;
      button.textContent = "Zapisywanie…";
      try {
        const r = await post(path, { token });
        if (r.ok) {
          const result = await r.json();
          $("answers").hidden = true;
          outcome.done(result.message);
          $("done").focus();
          return;
        }
        outcome.failed(await problemOf(r));
        $("failed").focus();
        if (r.status !== 503) { $("answers").hidden = true; return; }
      } catch (e) {
        outcome.failed(OFFLINE);
      }
      $("accept").disabled = false;
      $("decline").disabled = false;
      $("accept").textContent = "Przyjmuję";
      $("decline").textContent = "Nie tym razem";
    };
    $("accept").addEventListener("click", respond($("accept"), "/api/v1/needs/offer-links/acceptance"));
    $("decline").addEventListener("click", respond($("decline"), "/api/v1/needs/offer-links/decline"));
    return;
  }

  if (page !== "zgloszenie") return;

  // --- The sign-up form -------------------------------------------------------------------
  const form = $("form");
  const WEEKDAYS = [
    ["", "— wybierz —"], ["mon", "poniedziałek"], ["tue", "wtorek"], ["wed", "środa"],
    ["thu", "czwartek"], ["fri", "piątek"], ["sat", "sobota"], ["sun", "niedziela"],
  ];
  const slots = Array.from(document.querySelectorAll("[data-slot]")).map((row) => row.dataset.slot);
  slots.forEach((i) => {
    const select = $("weekday_" + i);
    WEEKDAYS.forEach(([value, name]) => select.add(new Option(name, value)));
  });

  // Checkboxes from the office's catalogue.
  const fill = (container, entries) => {
    container.textContent = "";
    entries.forEach((entry) => {
      const id = container.dataset.name + "-" + entry.code;
      const item = document.createElement("div");
      item.className = "check";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = id;
      box.name = container.dataset.name;
      box.value = entry.code;
      const label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = entry.name;
      item.append(box, label);
      container.append(item);
    });
  };
  get("/api/v1/volunteers/catalogue")
    .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
    .then((catalogue) => {
      document.querySelectorAll("[data-catalogue]").forEach((container) => {
        const entries = catalogue[container.dataset.catalogue] || [];
        const fieldset = container.closest("fieldset");
        if (!entries.length) { fieldset.hidden = true; return; }
        fill(container, entries);
      });
    })
    .catch(() => {
      document.querySelectorAll("[data-catalogue]").forEach((container) => {
        container.textContent = "";
        const note = document.createElement("p");
        note.className = "hint";
        note.textContent = "Nie udało się wczytać listy. Możesz wysłać zgłoszenie bez niej i opowiedzieć o sobie koordynatorowi.";
        container.append(note);
      });
    });

  // The birth date: three fields, read as a date only when complete and real.
  const birthDate = () => {
    const d = $("birth_day").value.trim();
    const m = $("birth_month").value.trim();
    const y = $("birth_year").value.trim();
    if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return null;
    const date = new Date(Date.UTC(+y, +m - 1, +d));
    if (date.getUTCFullYear() !== +y || date.getUTCMonth() !== +m - 1 || date.getUTCDate() !== +d) return null;
    return { y: +y, m: +m, d: +d, iso: y + "-" + m.padStart(2, "0") + "-" + d.padStart(2, "0") };
  };
  const ageOf = (b) => {
    const now = new Date();
    const [y, m, d] = [now.getFullYear(), now.getMonth() + 1, now.getDate()];
    return y - b.y - (m < b.m || (m === b.m && d < b.d) ? 1 : 0);
  };
  const showAgeRules = () => {
    const b = birthDate();
    const age = b ? ageOf(b) : null;
    const tooYoung = age !== null && age >= 0 && age < MIN_AGE;
    $("guardian").hidden = !(age !== null && age >= MIN_AGE && age < ADULT);
    $("too-young").hidden = !tooYoung;
    $("submit").disabled = tooYoung;
  };
  ["birth_day", "birth_month", "birth_year"].forEach((id) => $(id).addEventListener("input", showAgeRules));

  // Errors: next to each field (linked by aria-describedby) and listed at the top.
  const errorSlot = (field) => {
    const id = field.replace(/\./g, "_").replace(/\[(\d+)\]$/, "_$1");
    return $(id + "-error") || $(id.replace(/_\d+$/, "") + "-error");
  };
  const focusable = (id) => {
    const el = $(id);
    if (!el) return null;
    return el.matches("input, select, textarea, button") ? el : el.querySelector("input, select, textarea");
  };
  const clearErrors = () => {
    document.querySelectorAll(".field-error").forEach((slot) => { slot.textContent = ""; slot.hidden = true; });
    document.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    document.querySelectorAll(".has-error").forEach((el) => el.classList.remove("has-error"));
    $("summary").hidden = true;
    $("summary-list").textContent = "";
    $("summary-detail").hidden = true;
  };
  const showSummary = (title, detail, items) => {
    $("summary-title").textContent = title;
    $("summary-detail").textContent = detail || "";
    $("summary-detail").hidden = !detail;
    const list = $("summary-list");
    list.textContent = "";
    items.forEach(({ text, target }) => {
      const li = document.createElement("li");
      if (target) {
        const a = document.createElement("a");
        a.href = "#" + target;
        a.textContent = text;
        a.addEventListener("click", (event) => {
          event.preventDefault();
          const el = focusable(target);
          if (el) { el.focus(); el.scrollIntoView({ block: "center" }); }
        });
        li.append(a);
      } else {
        li.textContent = text;
      }
      list.append(li);
    });
    $("summary").hidden = false;
    $("summary").focus();
  };
  // errors: [{field, message}] as the API names them.
  const showErrors = (errors, title, detail) => {
    const bySlot = new Map();
    const loose = [];
    errors.forEach(({ field, message }) => {
      const slot = errorSlot(field || "");
      if (!slot) { loose.push(message); return; }
      const messages = bySlot.get(slot) || [];
      if (!messages.includes(message)) messages.push(message);
      bySlot.set(slot, messages);
    });
    const items = [];
    bySlot.forEach((messages, slot) => {
      slot.textContent = messages.join(" ");
      slot.hidden = false;
      document.querySelectorAll('[aria-describedby~="' + slot.id + '"]').forEach((el) => {
        if (el.matches("input, select, textarea")) el.setAttribute("aria-invalid", "true");
        else el.classList.add("has-error");
      });
      const box = slot.closest(".field, .slot");
      if (box) box.classList.add("has-error");
      items.push({ text: slot.dataset.label + ": " + messages.join(" "), target: slot.dataset.focus });
    });
    loose.forEach((text) => items.push({ text }));
    showSummary(title || "Popraw zaznaczone pola", detail, items);
  };

  const value = (id) => $(id).value.trim();
  const checked = (name) =>
    Array.from(form.querySelectorAll('input[type="checkbox"][name="' + name + '"]:checked')).map((box) => box.value);
  const time = (raw) => {
    const m = raw.replace(/[.,\s]/g, ":").match(/^(\d{1,2})(?::(\d{2}))?$/);
    return m ? m[1].padStart(2, "0") + ":" + (m[2] || "00") : raw;
  };

  // What the API cannot be sent at all (an incomplete date, a half-filled slot) is caught here;
  // everything else is for the office to check, and its messages are shown as they come.
  const collect = () => {
    const errors = [];
    const b = birthDate();
    if (!b) {
      errors.push({ field: "birth_date", message: "Podaj pełną datę urodzenia: dzień, miesiąc i rok (np. 14 03 2009)." });
    } else if (ageOf(b) < MIN_AGE) {
      errors.push({ field: "birth_date", message: "Wolontariuszem może zostać osoba, która ukończyła 13 lat." });
    }
    const availability = [];
    slots.forEach((i) => {
      const slot = { weekday: value("weekday_" + i), start: time(value("start_" + i)), end: time(value("end_" + i)) };
      const filled = [slot.weekday, slot.start, slot.end].filter(Boolean).length;
      if (filled === 3) availability.push(slot);
      else if (filled > 0) {
        errors.push({ field: "availability[" + i + "]", message: "Wybierz dzień tygodnia i podaj godziny od i do." });
      }
    });
    const hours = value("max_hours_per_week");
    if (hours && !(/^\d{1,2}$/.test(hours) && +hours >= 1 && +hours <= 60)) {
      errors.push({ field: "max_hours_per_week", message: "Limit godzin tygodniowo to liczba od 1 do 60." });
    }
    if ($("max_hours_per_week").validity.badInput) {
      errors.push({ field: "max_hours_per_week", message: "Limit godzin tygodniowo to liczba od 1 do 60." });
    }
    const body = {
      first_name: value("first_name"),
      last_name: value("last_name"),
      email: value("email"),
      birth_date: b ? b.iso : null,
      kinds: checked("kinds"),
      districts: checked("districts"),
      languages: checked("languages"),
      availability,
      data_processing_consent: $("data_processing_consent").checked,
    };
    if (value("phone")) body.phone = value("phone");
    if (hours) body.max_hours_per_week = +hours;
    if (value("motivation")) body.motivation = value("motivation");
    if (!$("guardian").hidden && (value("guardian_name") || value("guardian_email"))) {
      body.guardian = { name: value("guardian_name"), email: value("guardian_email") };
    }
    return { body, errors };
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const { body, errors } = collect();
    if (errors.length) { showErrors(errors); return; }
    const submit = $("submit");
    submit.disabled = true;
    submit.textContent = "Wysyłanie…";
    try {
      const r = await post("/api/v1/volunteers/applications", body);
      if (r.ok) {
        const accepted = await r.json();
        form.hidden = true;
        document.querySelector(".lead").hidden = true;
        document.querySelectorAll("main > .hint:not(#done-hint)").forEach((el) => { el.hidden = true; });
        $("done").textContent = accepted.message;
        $("done").hidden = false;
        $("done-hint").hidden = false;
        $("done").focus();
        window.scrollTo(0, 0);
        return;
      }
      const problem = await problemOf(r);
      if (Array.isArray(problem.errors) && problem.errors.length) {
        showErrors(problem.errors, problem.title, problem.detail);
      } else {
        showSummary(problem.title || "Nie udało się wysłać zgłoszenia", problem.detail || "Spróbuj ponownie za chwilę.", []);
      }
    } catch (e) {
      showSummary(OFFLINE.title, OFFLINE.detail, []);
    }
    submit.disabled = false;
    submit.textContent = "Wyślij zgłoszenie";
  });
})();
