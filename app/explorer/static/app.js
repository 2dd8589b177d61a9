// defcoop explorer: renders the public /v1 API in the browser. No framework, no build step.
"use strict";

(() => {
  const I18N = {
    en: {
      langName: "English",
      title: "defcoop explorer",
      lead: "Who cooperates with whom on defense, through which channels and against which threats; every tie with its sources.",
      skip: "Skip to content",
      countryLabel: "Country (English or Indonesian name, or ISO code)",
      countryPlaceholder: "e.g. Indonesia, Jepang, IDN",
      countryHint: "Use the arrow keys to choose a suggestion, Enter to show it.",
      suggestions: "Country suggestions",
      threatLabel: "Threat",
      allThreats: "All threats",
      yearLabel: "Year",
      anyYear: "any year",
      show: "Show",
      partners: "Partners",
      rank: "#",
      partner: "Partner",
      ties: "Ties",
      threats: "Threats",
      ch_organization: "organization",
      ch_exercise: "exercise",
      ch_agreement: "agreement",
      ch_operation: "operation",
      ch_transfer: "arms transfer",
      ch_organization_many: "organizations",
      ch_exercise_many: "exercises",
      ch_agreement_many: "agreements",
      ch_operation_many: "operations",
      ch_transfer_many: "arms transfers",
      ch_organization_head: "Organizations",
      ch_exercise_head: "Exercises",
      ch_agreement_head: "Agreements",
      ch_operation_head: "Operations",
      ch_transfer_head: "Arms transfers",
      more: "Load more",
      network: "Cooperation network",
      networkTitle: "Cooperation network of {country}",
      networkCaption: "{country} in the centre with its top {n} partners; the wider the line, the more ties.",
      nodeLabel: "{name}: {ties} ties. Show the evidence.",
      close: "Close",
      evidenceHeading: "Evidence: {a} and {b}",
      tiesOne: "{n} tie",
      tiesMany: "{n} ties",
      ongoing: "ongoing",
      sources: "Sources",
      roles: "Roles",
      noThreat: "no threat named",
      certainty_confirmed: "confirmed",
      certainty_unconfirmed: "unconfirmed",
      certainty_disputed: "disputed",
      apiRecord: "API record",
      loading: "Loading…",
      partnersOne: "1 partner of {country}",
      partnersMany: "{n} partners of {country}",
      filtered: " (filtered: {filters})",
      yearFilter: "year {year}",
      coverage: "Data coverage for this year:",
      noPartners: "No partners of {country} match these filters.",
      noCountry: "No country matches “{q}”.",
      suggestionsCount: "{n} suggestions; use the arrow keys.",
      noSuggestions: "No country matches “{q}”.",
      error: "Error: {detail}",
      networkError: "The API could not be reached.",
      evidenceLoading: "Loading the evidence…",
      evidenceLoaded: "{ties} between {a} and {b}",
      footer: "Built on the public API:",
      examples: "Try:",
      country_USA: "United States",
      role_member: "member",
      role_observer: "observer",
      role_partner: "partner",
      role_suspended: "suspended",
      role_full_participant: "full participant",
      role_humanitarian_only: "humanitarian only",
      role_staff_only: "staff only",
      role_party: "party",
      role_provider: "provider",
      role_recipient: "recipient",
      role_supplier: "supplier",
      role_host: "host",
      role_contributor: "contributor",
    },
    id: {
      langName: "Bahasa Indonesia",
      title: "Penjelajah defcoop",
      lead: "Siapa bekerja sama dengan siapa di bidang pertahanan, melalui saluran apa dan menghadapi ancaman apa; setiap hubungan beserta sumbernya.",
      skip: "Langsung ke konten",
      countryLabel: "Negara (nama dalam bahasa Inggris atau Indonesia, atau kode ISO)",
      countryPlaceholder: "mis. Indonesia, Jepang, IDN",
      countryHint: "Gunakan tombol panah untuk memilih saran, lalu Enter untuk menampilkannya.",
      suggestions: "Saran negara",
      threatLabel: "Ancaman",
      allThreats: "Semua ancaman",
      yearLabel: "Tahun",
      anyYear: "semua tahun",
      show: "Tampilkan",
      partners: "Mitra",
      rank: "#",
      partner: "Mitra",
      ties: "Hubungan",
      threats: "Ancaman",
      ch_organization: "organisasi",
      ch_exercise: "latihan",
      ch_agreement: "perjanjian",
      ch_operation: "operasi",
      ch_transfer: "transfer senjata",
      ch_organization_many: "organisasi",
      ch_exercise_many: "latihan",
      ch_agreement_many: "perjanjian",
      ch_operation_many: "operasi",
      ch_transfer_many: "transfer senjata",
      ch_organization_head: "Organisasi",
      ch_exercise_head: "Latihan",
      ch_agreement_head: "Perjanjian",
      ch_operation_head: "Operasi",
      ch_transfer_head: "Transfer senjata",
      more: "Muat lebih banyak",
      network: "Jaringan kerja sama",
      networkTitle: "Jaringan kerja sama {country}",
      networkCaption: "{country} di tengah bersama {n} mitra utamanya; makin tebal garis, makin banyak hubungan.",
      nodeLabel: "{name}: {ties} hubungan. Tampilkan bukti.",
      close: "Tutup",
      evidenceHeading: "Bukti: {a} dan {b}",
      tiesOne: "{n} hubungan",
      tiesMany: "{n} hubungan",
      ongoing: "berlangsung",
      sources: "Sumber",
      roles: "Peran",
      noThreat: "tidak ada ancaman yang disebut",
      certainty_confirmed: "terkonfirmasi",
      certainty_unconfirmed: "belum terkonfirmasi",
      certainty_disputed: "diperdebatkan",
      apiRecord: "catatan API",
      loading: "Memuat…",
      partnersOne: "1 mitra {country}",
      partnersMany: "{n} mitra {country}",
      filtered: " (filter: {filters})",
      yearFilter: "tahun {year}",
      coverage: "Cakupan data untuk tahun ini:",
      noPartners: "Tidak ada mitra {country} yang cocok dengan filter ini.",
      noCountry: "Tidak ada negara yang cocok dengan “{q}”.",
      suggestionsCount: "{n} saran; gunakan tombol panah.",
      noSuggestions: "Tidak ada negara yang cocok dengan “{q}”.",
      error: "Kesalahan: {detail}",
      networkError: "API tidak dapat dihubungi.",
      evidenceLoading: "Memuat bukti…",
      evidenceLoaded: "{ties} antara {a} dan {b}",
      footer: "Dibangun di atas API publik:",
      examples: "Coba:",
      country_USA: "Amerika Serikat",
      role_member: "anggota",
      role_observer: "pengamat",
      role_partner: "mitra",
      role_suspended: "ditangguhkan",
      role_full_participant: "peserta penuh",
      role_humanitarian_only: "hanya kemanusiaan",
      role_staff_only: "hanya staf",
      role_party: "pihak",
      role_provider: "pemasok",
      role_recipient: "penerima",
      role_supplier: "pemasok",
      role_host: "tuan rumah",
      role_contributor: "kontributor",
    },
  };
  const CHANNELS = ["organization", "exercise", "agreement", "operation", "transfer"];
  const INITIATIVE_PATHS = {
    organization: "/v1/organizations/",
    agreement: "/v1/agreements/",
    operation: "/v1/operations/",
    transfer: "/v1/transfers/",
  };
  const NETWORK_SIZE = 15;
  const SVG_NS = "http://www.w3.org/2000/svg";

  const state = {
    lang: "en",
    threats: new Map(), // slug -> threat category (with name_id)
    country: null, // the country record
    partners: [],
    total: 0,
    next: null,
    partner: null, // iso3 of the pair shown as evidence
    pair: null,
    status: null, // renders the status line; called again on a language change
  };
  const seq = { suggest: 0, partners: 0, pair: 0 };
  const $ = (id) => document.getElementById(id);

  // ---- helpers ------------------------------------------------------------------------------

  function t(key, vars = {}) {
    const text = I18N[state.lang][key] ?? I18N.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
  }

  function build(ns, tag, attrs, children) {
    const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  const h = (tag, attrs, ...children) => build(null, tag, attrs, children);
  const svg = (tag, attrs, ...children) => build(SVG_NS, tag, attrs, children);

  // `named`: the answer's names (partners, initiatives) in the page's language; the country
  // record and the search stay English, with `name_id`, for the names shown side by side.
  async function api(path, named = false) {
    const headers = { Accept: "application/json" };
    if (named) headers["Accept-Language"] = state.lang;
    let response;
    try {
      response = await fetch(path, { headers });
    } catch {
      throw new Error(t("networkError"));
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (!response.ok) {
      // problem+json: show the API's own explanation
      throw new Error((body && (body.detail || body.title)) || `HTTP ${response.status}`);
    }
    return body;
  }

  function relative(url) {
    const parsed = new URL(url, location.href);
    return parsed.pathname + parsed.search;
  }

  function showError(error) {
    const box = $("error");
    box.textContent = t("error", { detail: error.message });
    box.hidden = false;
  }

  function clearError() {
    $("error").hidden = true;
    $("error").textContent = "";
  }

  function setStatus(key, vars = {}) {
    state.status = typeof key === "function" ? key : key ? () => t(key, vars) : null;
    $("status").textContent = state.status ? state.status() : "";
  }

  function partnersStatus() {
    const country = countryName(state.country);
    if (!state.total) return t("noPartners", { country });
    const key = state.total === 1 ? "partnersOne" : "partnersMany";
    return t(key, { n: state.total, country }) + filterText();
  }

  function roleName(role) {
    return `role_${role}` in I18N[state.lang] ? t(`role_${role}`) : role.replace(/_/g, " ");
  }

  function countryName(country) {
    return (state.lang === "id" && country.name_id) || country.name;
  }

  function threatName(ref) {
    const known = state.threats.get(ref.slug);
    return (state.lang === "id" && known && known.name_id) || ref.name;
  }

  function tiesText(n) {
    return t(n === 1 ? "tiesOne" : "tiesMany", { n });
  }

  function period(first, last) {
    if (first == null) return "";
    if (last == null) return `${first}–${t("ongoing")}`;
    return first === last ? String(first) : `${first}–${last}`;
  }

  function filterParams() {
    const params = new URLSearchParams();
    const threat = $("threat-select").value;
    const year = $("year-input").value.trim();
    if (threat) params.set("threat", threat);
    if (year) params.set("year", year);
    return params;
  }

  function filterText() {
    const parts = [];
    const threat = state.threats.get($("threat-select").value);
    if (threat) parts.push(threatName(threat));
    const year = $("year-input").value.trim();
    if (year) parts.push(t("yearFilter", { year }));
    return parts.length ? t("filtered", { filters: parts.join(", ") }) : "";
  }

  function saveUrl() {
    const params = filterParams();
    if (state.country) params.set("country", state.country.iso3);
    if (state.partner) params.set("partner", state.partner);
    if (state.lang !== "en") params.set("lang", state.lang);
    const query = params.toString();
    history.replaceState(null, "", query ? `?${query}` : location.pathname);
  }

  function chips(threats) {
    if (!threats.length) return h("span", { class: "muted" }, t("noThreat"));
    return h("ul", { class: "chips" }, threats.map((ref) => h("li", null, threatName(ref))));
  }

  // ---- language -----------------------------------------------------------------------------

  function applyLanguage() {
    document.documentElement.lang = state.lang;
    document.title = t("title");
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
      node.setAttribute("placeholder", t(node.dataset.i18nPlaceholder));
    }
    for (const node of document.querySelectorAll("[data-i18n-aria-label]")) {
      node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
    }
    const other = state.lang === "en" ? "id" : "en";
    const toggle = $("lang-toggle");
    toggle.textContent = I18N[other].langName;
    toggle.setAttribute("lang", other);
    for (const option of $("threat-select").options) {
      const threat = state.threats.get(option.value);
      if (threat) option.textContent = threatName(threat);
    }
    if (state.status) $("status").textContent = state.status();
    renderCountry();
    renderPartners();
    renderEvidence();
  }

  function toggleLanguage() {
    state.lang = state.lang === "en" ? "id" : "en";
    try {
      localStorage.setItem("defcoop-lang", state.lang);
    } catch {
      // storage may be disabled; the URL keeps the choice
    }
    applyLanguage();
    reloadForFilters(); // the partners' and initiatives' names come in the new language
  }

  // ---- country search (combobox) ------------------------------------------------------------

  const combo = { items: [], active: -1, timer: 0 };

  function openList(open) {
    $("suggestions").hidden = !open;
    $("country-input").setAttribute("aria-expanded", String(open));
    if (!open) {
      combo.active = -1;
      $("country-input").removeAttribute("aria-activedescendant");
    }
  }

  function renderSuggestions() {
    const list = $("suggestions");
    list.replaceChildren(
      ...combo.items.map((country, index) =>
        h(
          "li",
          {
            id: `suggestion-${index}`,
            role: "option",
            "aria-selected": String(index === combo.active),
            "data-iso3": country.iso3,
            onmousedown: (event) => event.preventDefault(),
            onclick: () => chooseSuggestion(index),
          },
          h("span", { class: "name" }, countryName(country)),
          country.name_id && country.name_id !== country.name
            ? h("span", { class: "alt" }, state.lang === "id" ? country.name : country.name_id)
            : null,
          h("span", { class: "code" }, country.iso3),
        ),
      ),
    );
    const input = $("country-input");
    if (combo.active >= 0) input.setAttribute("aria-activedescendant", `suggestion-${combo.active}`);
    else input.removeAttribute("aria-activedescendant");
    openList(combo.items.length > 0);
    if (combo.active >= 0) $(`suggestion-${combo.active}`).scrollIntoView({ block: "nearest" });
  }

  async function suggest() {
    const q = $("country-input").value.trim();
    const mine = ++seq.suggest;
    if (!q) {
      combo.items = [];
      openList(false);
      return;
    }
    try {
      const page = await api(`/v1/countries?${new URLSearchParams({ q, limit: "8" })}`);
      if (mine !== seq.suggest) return;
      clearError();
      combo.items = page.data;
      combo.active = -1;
      renderSuggestions();
      setStatus(combo.items.length ? "suggestionsCount" : "noSuggestions", { n: combo.items.length, q });
    } catch (error) {
      if (mine === seq.suggest) showError(error);
    }
  }

  function chooseSuggestion(index) {
    const country = combo.items[index];
    seq.suggest++;
    openList(false);
    if (country) selectCountry(country.iso3);
  }

  function onComboKey(event) {
    const open = !$("suggestions").hidden;
    const n = combo.items.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!n) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      combo.active = open ? (combo.active + step + n) % n : step > 0 ? 0 : n - 1;
      renderSuggestions();
    } else if (event.key === "Enter" && open && combo.active >= 0) {
      event.preventDefault();
      chooseSuggestion(combo.active);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      openList(false);
    }
  }

  async function onSubmit(event) {
    event.preventDefault();
    clearTimeout(combo.timer);
    seq.suggest++;
    openList(false);
    const q = $("country-input").value.trim();
    if (state.country && (!q || q === countryName(state.country))) {
      reloadForFilters();
      return;
    }
    if (!q) return;
    try {
      const page = await api(`/v1/countries?${new URLSearchParams({ q, limit: "8" })}`);
      const lower = q.toLowerCase();
      const exact = page.data.find((c) =>
        [c.iso3, c.iso2, c.name, c.name_id].some((v) => v && v.toLowerCase() === lower),
      );
      const match = exact || page.data[0];
      if (!match) {
        clearError();
        setStatus("noCountry", { q });
        return;
      }
      await selectCountry(match.iso3);
    } catch (error) {
      showError(error);
    }
  }

  // ---- country and partners -----------------------------------------------------------------

  async function selectCountry(code, partner = null) {
    clearError();
    setStatus("loading");
    try {
      state.country = await api(`/v1/countries/${encodeURIComponent(code)}`);
    } catch (error) {
      setStatus(null);
      showError(error);
      return;
    }
    $("country-input").value = countryName(state.country);
    state.partner = partner;
    state.pair = null;
    renderEvidence();
    renderCountry();
    await loadPartners(false);
    if (partner) await openEvidence(partner, false);
    saveUrl();
  }

  function reloadForFilters() {
    saveUrl();
    if (!state.country) return;
    loadPartners(false);
    if (state.partner) openEvidence(state.partner, false);
  }

  async function loadPartners(append) {
    if (!state.country) return;
    const mine = ++seq.partners;
    const params = filterParams();
    params.set("limit", "50");
    const path = append
      ? relative(state.next)
      : `/v1/countries/${state.country.iso3}/partners?${params}`;
    $("partners-table").setAttribute("aria-busy", "true");
    setStatus("loading");
    try {
      const page = await api(path, true);
      if (mine !== seq.partners) return;
      clearError();
      state.partners = append ? state.partners.concat(page.data) : page.data;
      state.total = page.meta.total ?? state.partners.length;
      state.next = page.links.next;
      if (!append) renderCoverage(params.has("year") ? page.meta.coverage || [] : []);
      renderPartners();
      setStatus(partnersStatus);
    } catch (error) {
      if (mine !== seq.partners) return;
      state.partners = [];
      state.total = 0;
      state.next = null;
      renderCoverage([]);
      renderPartners();
      setStatus(null);
      showError(error);
    } finally {
      if (mine === seq.partners) $("partners-table").removeAttribute("aria-busy");
    }
  }

  function renderCountry() {
    const country = state.country;
    $("country-section").hidden = !country;
    $("examples").hidden = Boolean(country);
    if (!country) return;
    $("country-heading").textContent = countryName(country);
    const other = state.lang === "id" ? country.name : country.name_id;
    $("country-meta").textContent = [
      country.official_name,
      other && other !== countryName(country) ? other : null,
      `ISO ${country.iso3} / ${country.iso2 || "–"}`,
      [country.subregion, country.region].filter(Boolean).join(", "),
    ]
      .filter(Boolean)
      .join(" · ");
  }

  // The years of a year-filtered answer that a channel's data covers only in part: where a
  // missing partner is unknown, not absent (the API's meta.coverage, in its own words).
  function renderCoverage(notes) {
    const box = $("coverage-note");
    box.hidden = notes.length === 0;
    box.textContent = notes.length ? `${t("coverage")} ${notes.map((n) => n.note).join(" ")}` : "";
  }

  function renderPartners() {
    if (!state.country) return;
    $("panels").hidden = state.partners.length === 0;
    const rows = state.partners.map((row, index) => {
      const selected = row.partner.iso3 === state.partner;
      return h(
        "tr",
        { class: selected ? "selected" : null, "data-iso3": row.partner.iso3 },
        h("td", { class: "num" }, index + 1),
        h(
          "th",
          { scope: "row" },
          h(
            "button",
            {
              type: "button",
              class: "partner-link",
              "data-iso3": row.partner.iso3,
              "aria-current": selected ? "true" : null,
              onclick: () => openEvidence(row.partner.iso3, true),
            },
            row.partner.name,
          ),
          h("span", { class: "code" }, row.partner.iso3),
        ),
        h("td", { class: "num strong" }, row.ties),
        CHANNELS.map((channel) => {
          const count = row.channels[channel] || 0;
          return h("td", { class: count ? "num" : "num zero" }, count);
        }),
        h("td", null, chips(row.threats)),
      );
    });
    $("partners-body").replaceChildren(...rows);
    $("more-button").hidden = !state.next;
    renderNetwork();
  }

  function onTableKey(event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const buttons = [...$("partners-body").querySelectorAll("button.partner-link")];
    const index = buttons.indexOf(document.activeElement);
    if (index < 0) return;
    event.preventDefault();
    const next = buttons[index + (event.key === "ArrowDown" ? 1 : -1)];
    if (next) next.focus();
  }

  // ---- network picture ----------------------------------------------------------------------

  function renderNetwork() {
    const holder = $("network");
    const top = state.partners.slice(0, NETWORK_SIZE);
    const name = countryName(state.country);
    $("network-caption").textContent = top.length
      ? t("networkCaption", { country: name, n: top.length })
      : t("noPartners", { country: name });
    if (!top.length) {
      holder.replaceChildren();
      return;
    }
    const width = 640;
    const height = 540;
    const cx = width / 2;
    const cy = height / 2;
    const radius = 195;
    const maxTies = Math.max(...top.map((row) => row.ties));
    const edges = [];
    const nodes = [];
    top.forEach((row, index) => {
      const angle = -Math.PI / 2 + (2 * Math.PI * index) / top.length;
      const x = cx + radius * Math.cos(angle);
      const y = cy + radius * Math.sin(angle);
      // names sit beside their node, away from the centre; at the top and bottom, above or below
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      const anchor = cos > 0.1 ? "start" : cos < -0.1 ? "end" : "middle";
      const lx = x + (anchor === "start" ? 25 : anchor === "end" ? -25 : 0);
      const ly = y + (anchor === "middle" ? (sin > 0 ? 36 : -28) : 5);
      const selected = row.partner.iso3 === state.partner;
      const label = t("nodeLabel", { name: row.partner.name, ties: row.ties });
      const open = () => openEvidence(row.partner.iso3, true);
      edges.push(
        svg("line", {
          class: selected ? "edge selected" : "edge",
          x1: cx,
          y1: cy,
          x2: x.toFixed(1),
          y2: y.toFixed(1),
          "stroke-width": (1.5 + (8 * row.ties) / maxTies).toFixed(1),
        }),
      );
      nodes.push(
        svg(
          "g",
          {
            class: selected ? "node selected" : "node",
            tabindex: "0",
            role: "button",
            "aria-label": label,
            "data-iso3": row.partner.iso3,
            onclick: open,
            onkeydown: (event) => {
              if (event.key === "Enter" || event.key === " ") {
                event.preventDefault();
                open();
              }
            },
          },
          svg("title", null, label),
          svg("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 19 }),
          svg(
            "text",
            { x: x.toFixed(1), y: (y + 4).toFixed(1), "text-anchor": "middle", class: "code" },
            row.partner.iso3,
          ),
          svg(
            "text",
            { x: lx.toFixed(1), y: ly.toFixed(1), "text-anchor": anchor, class: "label" },
            row.partner.name,
          ),
        ),
      );
    });
    const title = t("networkTitle", { country: name });
    holder.replaceChildren(
      svg(
        "svg",
        {
          viewBox: `0 0 ${width} ${height}`,
          role: "group",
          "aria-label": title,
          class: "network",
        },
        svg("title", null, title),
        svg("g", { "aria-hidden": "true" }, edges),
        svg(
          "g",
          { class: "centre", "aria-hidden": "true" },
          svg("circle", { cx, cy, r: 34 }),
          svg("text", { x: cx, y: cy + 5, "text-anchor": "middle", class: "code" }, state.country.iso3),
        ),
        nodes,
      ),
    );
  }

  // ---- evidence for a pair ------------------------------------------------------------------

  async function openEvidence(iso3, focus) {
    if (!state.country) return;
    const mine = ++seq.pair;
    state.partner = iso3;
    saveUrl();
    renderPartners();
    setStatus("evidenceLoading");
    const params = filterParams();
    const query = params.toString();
    try {
      const pair = await api(
        `/v1/countries/${state.country.iso3}/partners/${encodeURIComponent(iso3)}${query ? `?${query}` : ""}`,
        true,
      );
      if (mine !== seq.pair) return;
      clearError();
      state.pair = pair;
      renderEvidence();
      setStatus(() =>
        t("evidenceLoaded", {
          ties: tiesText(pair.data.length),
          a: countryName(state.country),
          b: pair.partner.name,
        }),
      );
      if (focus) {
        $("evidence").scrollIntoView({ block: "start" });
        $("evidence-heading").focus({ preventScroll: true });
      }
    } catch (error) {
      if (mine !== seq.pair) return;
      setStatus(null);
      showError(error);
    }
  }

  function closeEvidence() {
    const iso3 = state.partner;
    seq.pair++;
    state.partner = null;
    state.pair = null;
    renderEvidence();
    renderPartners();
    saveUrl();
    const button = iso3 && document.querySelector(`button.partner-link[data-iso3="${iso3}"]`);
    if (button) button.focus();
  }

  function renderEvidence() {
    const pair = state.pair;
    $("evidence").hidden = !pair;
    if (!pair) return;
    const a = state.country ? countryName(state.country) : pair.country.name;
    const names = { [pair.country.iso3]: a, [pair.partner.iso3]: pair.partner.name };
    $("evidence-heading").textContent = t("evidenceHeading", { a, b: pair.partner.name });
    const summary = pair.summary;
    const counts = CHANNELS.filter((channel) => summary.channels[channel]).map((channel) => {
      const n = summary.channels[channel];
      return `${n} ${t(n === 1 ? `ch_${channel}` : `ch_${channel}_many`)}`;
    });
    $("evidence-summary").textContent =
      `${tiesText(summary.ties)}${counts.length ? `: ${counts.join(", ")}` : ""}` +
      `${summary.first_year != null ? ` · ${period(summary.first_year, summary.last_year)}` : ""}` +
      filterText();
    const items = pair.data.map((tie) => {
      const initiative = tie.initiative;
      const base = INITIATIVE_PATHS[initiative.kind];
      const roles = Object.entries(tie.roles || {}).map(
        ([code, role]) => `${names[code] || code}: ${roleName(role)}`,
      );
      return h(
        "li",
        { class: "tie", "data-channel": tie.channel },
        h(
          "div",
          { class: "tie-head" },
          h("span", { class: `badge ${tie.channel}` }, t(`ch_${tie.channel}`)),
          h(
            "strong",
            { class: "initiative" },
            base ? h("a", { href: base + encodeURIComponent(initiative.slug) }, initiative.name) : initiative.name,
          ),
          h("span", { class: "years" }, period(tie.first_year, tie.last_year)),
          h("span", { class: `certainty ${tie.certainty}` }, t(`certainty_${tie.certainty}`)),
        ),
        roles.length ? h("p", { class: "roles" }, `${t("roles")}: ${roles.join("; ")}`) : null,
        chips(tie.threats),
        h(
          "div",
          { class: "sources" },
          h("span", { class: "label" }, `${t("sources")}:`),
          h(
            "ul",
            null,
            tie.sources.map((source) =>
              h(
                "li",
                null,
                source.url
                  ? h("a", { href: source.url, rel: "noopener noreferrer" }, source.title)
                  : source.title,
                source.locator ? h("span", { class: "locator" }, ` (${source.locator})`) : null,
                " ",
                h(
                  "a",
                  { class: "record", href: `/v1/sources/${encodeURIComponent(source.source_id)}` },
                  `[${t("apiRecord")}]`,
                ),
              ),
            ),
          ),
        ),
      );
    });
    $("evidence-list").replaceChildren(...items);
  }

  // ---- start --------------------------------------------------------------------------------

  async function loadThreats() {
    const page = await api("/v1/threat-categories?limit=100");
    const select = $("threat-select");
    for (const threat of page.data) {
      state.threats.set(threat.slug, threat);
      select.append(h("option", { value: threat.slug }, threatName(threat)));
    }
  }

  async function start() {
    const params = new URLSearchParams(location.search);
    let stored = null;
    try {
      stored = localStorage.getItem("defcoop-lang");
    } catch {
      stored = null;
    }
    const wanted = params.get("lang") || stored || (navigator.language || "en").slice(0, 2);
    state.lang = wanted === "id" ? "id" : "en";
    applyLanguage();

    const input = $("country-input");
    input.addEventListener("input", () => {
      clearTimeout(combo.timer);
      combo.timer = setTimeout(suggest, 150);
    });
    input.addEventListener("keydown", onComboKey);
    input.addEventListener("blur", () => setTimeout(() => openList(false), 100));
    $("search-form").addEventListener("submit", onSubmit);
    $("threat-select").addEventListener("change", reloadForFilters);
    $("year-input").addEventListener("change", reloadForFilters);
    $("lang-toggle").addEventListener("click", toggleLanguage);
    $("more-button").addEventListener("click", () => loadPartners(true));
    $("close-evidence").addEventListener("click", closeEvidence);
    $("partners-body").addEventListener("keydown", onTableKey);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && state.pair && $("evidence").contains(document.activeElement)) {
        closeEvidence();
      }
    });

    try {
      await loadThreats();
    } catch (error) {
      showError(error);
    }
    if (params.get("threat")) $("threat-select").value = params.get("threat");
    if (params.get("year")) $("year-input").value = params.get("year");
    if (params.get("country")) await selectCountry(params.get("country"), params.get("partner"));
    document.body.dataset.ready = "true";
  }

  start();
})();
