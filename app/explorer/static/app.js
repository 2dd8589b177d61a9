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
      peersCaption: " The thin curves join partners that cooperate with each other ({n} pairs).",
      peerLabel: "{a} and {b}: {ties}",
      views: "Views",
      viewCountry: "A country's partners",
      viewNetwork: "Whole network",
      worldHeading: "The whole cooperation network",
      worldTitle: "Cooperation network, {year}",
      worldCaption: "{nodes} countries and {edges} cooperating pairs in {year}. A circle's size: its number of partners; its colour: its region. Every country keeps its place from year to year.",
      worldCapped: " The {shown} strongest pairs are drawn.",
      worldEmpty: "No ties are recorded in {year}.",
      worldStatus: "The whole network: {nodes} countries, {edges} cooperating pairs",
      worldNode: "{name}: {n} partners in {year}. Show its partners.",
      previousYear: "Previous year",
      nextYear: "Next year",
      regions: "Regions",
      region_Africa: "Africa",
      region_America: "Americas",
      region_Americas: "Americas",
      region_Asia: "Asia",
      region_Europe: "Europe",
      region_Oceania: "Oceania",
      noRegion: "no region",
      noData: "No data for {year}:",
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
      peersCaption: " Garis lengkung tipis menghubungkan mitra yang saling bekerja sama ({n} pasangan).",
      peerLabel: "{a} dan {b}: {ties}",
      views: "Tampilan",
      viewCountry: "Mitra sebuah negara",
      viewNetwork: "Seluruh jaringan",
      worldHeading: "Seluruh jaringan kerja sama",
      worldTitle: "Jaringan kerja sama, {year}",
      worldCaption: "{nodes} negara dan {edges} pasangan yang bekerja sama pada {year}. Ukuran lingkaran: jumlah mitranya; warnanya: kawasannya. Setiap negara tetap di tempatnya dari tahun ke tahun.",
      worldCapped: " Yang digambar: {shown} pasangan terkuat.",
      worldEmpty: "Tidak ada hubungan yang tercatat pada {year}.",
      worldStatus: "Seluruh jaringan: {nodes} negara, {edges} pasangan yang bekerja sama",
      worldNode: "{name}: {n} mitra pada {year}. Tampilkan mitranya.",
      previousYear: "Tahun sebelumnya",
      nextYear: "Tahun berikutnya",
      regions: "Kawasan",
      region_Africa: "Afrika",
      region_America: "Amerika",
      region_Americas: "Amerika",
      region_Asia: "Asia",
      region_Europe: "Eropa",
      region_Oceania: "Oseania",
      noRegion: "tanpa kawasan",
      noData: "Tidak ada data untuk {year}:",
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
  // Beyond this many pairs the whole network is a blur and slow to draw: the strongest are kept.
  const WORLD_EDGES_MAX = 3000;
  // After Okabe and Ito's colour-blind-safe set, each at least 3:1 against white.
  const REGION_COLOURS = {
    Africa: "#8a6d00",
    America: "#7a3fa0",
    Americas: "#7a3fa0",
    Asia: "#d55e00",
    Europe: "#0072b2",
    Oceania: "#008f68",
  };
  const NO_REGION_COLOUR = "#6b7280";
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
    view: "country", // or "network": the whole network for a year
    peers: [], // the edges of the filtered network among the ego's drawn partners
    world: null, // the whole network's answer for the year shown
    layout: null, // { version, places: Map iso3 -> [x, y] }: where each country sits
    years: null, // { first, last }: the years the data knows of, for the year slider
  };
  const seq = { suggest: 0, partners: 0, peers: 0, pair: 0, world: 0 };
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
    if (state.view !== "country") params.set("view", state.view);
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
    renderWorld();
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
  let slideTimer = 0;

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
    if (country) showCountry(country.iso3);
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
      if (state.view === "network" && q) showView("country");
      reloadForFilters();
      return;
    }
    if (!q) {
      reloadForFilters(); // the filters of the view shown (the whole network's year)
      return;
    }
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
      await showCountry(match.iso3);
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
    if (state.view === "network") {
      loadWorld();
      return;
    }
    if (!state.country) {
      renderCoverage([]);
      return;
    }
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
    if (!append) loadPeers(params);
    try {
      const page = await api(path, true);
      if (mine !== seq.partners) return;
      clearError();
      state.partners = append ? state.partners.concat(page.data) : page.data;
      state.total = page.meta.total ?? state.partners.length;
      state.next = page.links.next;
      if (!append) renderCoverage(params.has("year") ? page.meta.coverage || [] : [], params.get("year"));
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

  // The ties among the partners: the edges of the network with the same filters (the drawn
  // partners are known only when the partners arrive, so every edge is kept until then).
  async function loadPeers(params) {
    const mine = ++seq.peers;
    const filters = new URLSearchParams(params);
    filters.delete("limit");
    state.peers = [];
    try {
      const network = await api(`/v1/network?${filters}`);
      if (mine !== seq.peers) return;
      state.peers = network.edges;
      renderNetwork();
    } catch (error) {
      if (mine === seq.peers) showError(error);
    }
  }

  function renderCountry() {
    const country = state.country;
    $("country-section").hidden = !country || state.view !== "country";
    $("examples").hidden = Boolean(country) || state.view !== "country";
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
  // A year no channel has any data for is outside the data: said first, not as a footnote.
  function renderCoverage(notes, year = null) {
    const box = $("coverage-note");
    const outside =
      notes.length === CHANNELS.length && notes.every((note) => note.partial_years.length === 0);
    box.hidden = notes.length === 0;
    box.classList.toggle("outside", outside);
    const lead = outside ? t("noData", { year }) : t("coverage");
    box.textContent = notes.length ? `${lead} ${notes.map((n) => n.note).join(" ")}` : "";
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
    if (!top.length) {
      $("network-caption").textContent = t("noPartners", { country: name });
      holder.replaceChildren();
      return;
    }
    const width = 640;
    const height = 540;
    const cx = width / 2;
    const cy = height / 2;
    const radius = 195;
    const maxTies = Math.max(...top.map((row) => row.ties));
    const places = new Map();
    const names = new Map();
    const edges = [];
    const nodes = [];
    top.forEach((row, index) => {
      const angle = -Math.PI / 2 + (2 * Math.PI * index) / top.length;
      const x = cx + radius * Math.cos(angle);
      const y = cy + radius * Math.sin(angle);
      places.set(row.partner.iso3, [x, y]);
      names.set(row.partner.iso3, row.partner.name);
      // names sit beside their node, away from the centre; at the top and bottom, above or below
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      const anchor = cos > 0.1 ? "start" : cos < -0.1 ? "end" : "middle";
      const lx = x + (anchor === "start" ? 25 : anchor === "end" ? -25 : 0);
      const ly = y + (anchor === "middle" ? (sin > 0 ? 36 : -28) : 5);
      const selected = row.partner.iso3 === state.partner;
      const label = t("nodeLabel", { name: row.partner.name, ties: row.ties });
      edges.push(
        svg("line", {
          class: selected ? "edge spoke selected" : "edge spoke",
          x1: cx,
          y1: cy,
          x2: x.toFixed(1),
          y2: y.toFixed(1),
          "stroke-width": (1.5 + (8 * row.ties) / maxTies).toFixed(1),
        }),
      );
      nodes.push(
        nodeButton(
          { class: selected ? "node selected" : "node", "data-iso3": row.partner.iso3 },
          label,
          () => openEvidence(row.partner.iso3, true),
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
    // Ties among the partners: curves bent halfway to the centre, so that they read apart from
    // the spokes and from each other.
    const peers = state.peers.filter((edge) => places.has(edge.source) && places.has(edge.target));
    const maxPeer = Math.max(1, ...peers.map((edge) => edge.weight));
    const curves = peers.map((edge) => {
      const [x1, y1] = places.get(edge.source);
      const [x2, y2] = places.get(edge.target);
      const qx = ((x1 + x2) / 2 + cx) / 2;
      const qy = ((y1 + y2) / 2 + cy) / 2;
      const label = t("peerLabel", {
        a: names.get(edge.source),
        b: names.get(edge.target),
        ties: tiesText(edge.weight),
      });
      return svg(
        "path",
        {
          // the chosen partner's own ties among the others stand out
          class: [edge.source, edge.target].includes(state.partner)
            ? "edge peer selected"
            : "edge peer",
          d: `M${x1.toFixed(1)},${y1.toFixed(1)} Q${qx.toFixed(1)},${qy.toFixed(1)} ${x2.toFixed(1)},${y2.toFixed(1)}`,
          "stroke-width": (0.75 + (2.5 * edge.weight) / maxPeer).toFixed(2),
          "data-source": edge.source,
          "data-target": edge.target,
        },
        svg("title", null, label),
      );
    });
    $("network-caption").textContent =
      t("networkCaption", { country: name, n: top.length }) +
      (curves.length ? t("peersCaption", { n: curves.length }) : "");
    drawPicture(
      holder,
      { width, height, title: t("networkTitle", { country: name }), kind: "ego" },
      svg("g", { class: "peers", "aria-hidden": "true" }, curves),
      svg("g", { "aria-hidden": "true" }, edges),
      svg(
        "g",
        { class: "centre", "aria-hidden": "true" },
        svg("circle", { cx, cy, r: 34 }),
        svg("text", { x: cx, y: cy + 5, "text-anchor": "middle", class: "code" }, state.country.iso3),
      ),
      nodes,
    );
  }

  // A picture of a network: its box, its name for screen readers, what it draws.
  function drawPicture(holder, { width, height, title, kind }, ...layers) {
    const picture = svg(
      "svg",
      {
        viewBox: `0 0 ${width} ${height}`,
        role: "group",
        "aria-label": title,
        class: `network ${kind}`,
      },
      svg("title", null, title),
      ...layers,
    );
    holder.replaceChildren(picture);
    fitToContent(picture, width, height);
  }

  // A country in a picture: a button for the mouse and the keyboard (Enter, Space).
  function nodeButton(attributes, label, open, ...shapes) {
    return svg(
      "g",
      {
        ...attributes,
        tabindex: "0",
        role: "button",
        "aria-label": label,
        onclick: open,
        onkeydown: (event) => {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            open();
          }
        },
      },
      svg("title", null, label),
      ...shapes,
    );
  }

  // Widen the picture's box to what it draws, so that no name is cut at its edge, whatever the
  // names' length in either language. Measured only once drawn (a hidden picture measures 0):
  // a view re-draws its picture when it is shown.
  function fitToContent(picture, width, height) {
    const box = picture.getBBox();
    if (!box.width || !box.height) return;
    const margin = 6;
    const left = Math.min(0, box.x) - margin;
    const top = Math.min(0, box.y) - margin;
    const right = Math.max(width, box.x + box.width) + margin;
    const bottom = Math.max(height, box.y + box.height) + margin;
    picture.setAttribute(
      "viewBox",
      [left, top, right - left, bottom - top].map((n) => n.toFixed(1)).join(" "),
    );
  }

  // ---- the whole network, year by year ------------------------------------------------------

  function showView(view) {
    state.view = view;
    for (const [id, name] of [
      ["view-country", "country"],
      ["view-network", "network"],
    ]) {
      $(id).setAttribute("aria-pressed", String(view === name));
    }
    $("world-section").hidden = view !== "network";
    renderCountry();
    renderPartners();
    renderWorld();
  }

  function switchView(view) {
    if (view === state.view) return;
    showView(view);
    setStatus(null);
    reloadForFilters();
  }

  async function showCountry(code) {
    if (state.view !== "country") showView("country");
    await selectCountry(code);
  }

  // The years the data knows of, from its coverage: the slider's range. Any other year can
  // still be typed in the year field, and is answered with its coverage note.
  async function loadYears() {
    const meta = await api("/v1/meta");
    const firsts = [];
    let last = new Date().getFullYear();
    for (const channel of meta.coverage) {
      if (channel.first_fact_year != null) firsts.push(channel.first_fact_year);
      for (const span of channel.datasets) {
        firsts.push(span.first_year);
        last = Math.max(last, span.last_year);
      }
    }
    if (!firsts.length) return;
    state.years = { first: Math.min(...firsts), last };
    const slider = $("world-year");
    slider.min = String(state.years.first);
    slider.max = String(last);
  }

  function worldYear() {
    const year = Number.parseInt($("year-input").value, 10);
    return Number.isNaN(year) ? null : year;
  }

  function stepYear(step) {
    const year = worldYear() ?? (state.years ? state.years.last : null);
    if (year === null) return;
    setWorldYear(year + step);
    loadWorld();
  }

  function setWorldYear(year) {
    $("year-input").value = String(year);
    $("world-year").value = String(year);
    $("world-year-value").textContent = String(year);
  }

  // Where each country sits: a force layout of the network over all years, computed once per
  // data version, so that a country keeps its place when the year changes.
  async function worldLayout(version, needed) {
    const layout = state.layout;
    if (layout && layout.version === version && needed.every((n) => layout.places.has(n.iso3))) {
      return layout;
    }
    const all = await api("/v1/network");
    state.layout = { version: all.meta.data_version, places: forceLayout(all.nodes, all.edges) };
    return state.layout;
  }

  const WORLD_WIDTH = 1000;
  const WORLD_HEIGHT = 680;

  // Fruchterman and Reingold (1991), from a circle ordered by region: deterministic, so a
  // country sits in the same place on every visit. An edge pulls in inverse proportion to its
  // ends' degrees, or the dense alliances collapse into one ball; the result is turned to lie
  // along its longest axis, as wide as the picture.
  function forceLayout(nodes, edges) {
    const order = [...nodes].sort(
      (a, b) =>
        (a.region || "~").localeCompare(b.region || "~") ||
        (a.subregion || "").localeCompare(b.subregion || "") ||
        a.iso3.localeCompare(b.iso3),
    );
    const n = order.length;
    const index = new Map(order.map((node, i) => [node.iso3, i]));
    const xs = order.map((_, i) => Math.cos((2 * Math.PI * i) / n) * 300);
    const ys = order.map((_, i) => Math.sin((2 * Math.PI * i) / n) * 300);
    const links = edges
      .filter((edge) => index.has(edge.source) && index.has(edge.target))
      .map((edge) => [index.get(edge.source), index.get(edge.target)]);
    const degrees = new Array(n).fill(0);
    for (const [i, j] of links) {
      degrees[i]++;
      degrees[j]++;
    }
    const k = Math.sqrt((WORLD_WIDTH * WORLD_HEIGHT) / Math.max(n, 1)) * 0.8;
    const rounds = 300;
    for (let round = 0; round < rounds; round++) {
      const dx = new Float64Array(n);
      const dy = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const ox = xs[i] - xs[j];
          const oy = ys[i] - ys[j];
          const d2 = Math.max(ox * ox + oy * oy, 0.01);
          const push = (k * k) / d2;
          dx[i] += ox * push;
          dy[i] += oy * push;
          dx[j] -= ox * push;
          dy[j] -= oy * push;
        }
        // a little gravity keeps the unconnected from drifting away
        dx[i] -= xs[i] * 0.05;
        dy[i] -= ys[i] * 0.05;
      }
      for (const [i, j] of links) {
        const ox = xs[i] - xs[j];
        const oy = ys[i] - ys[j];
        const d = Math.sqrt(ox * ox + oy * oy) || 0.1;
        const pull = (d / k) * (8 / Math.sqrt(degrees[i] * degrees[j]));
        dx[i] -= ox * pull;
        dy[i] -= oy * pull;
        dx[j] += ox * pull;
        dy[j] += oy * pull;
      }
      const temperature = 60 * (1 - round / rounds) + 0.5;
      for (let i = 0; i < n; i++) {
        const d = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]) || 1;
        const move = Math.min(d, temperature);
        xs[i] += (dx[i] / d) * move;
        ys[i] += (dy[i] / d) * move;
      }
    }
    // turn the principal axis horizontal
    const mx = xs.reduce((a, b) => a + b, 0) / n;
    const my = ys.reduce((a, b) => a + b, 0) / n;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let i = 0; i < n; i++) {
      sxx += (xs[i] - mx) ** 2;
      syy += (ys[i] - my) ** 2;
      sxy += (xs[i] - mx) * (ys[i] - my);
    }
    const turn = -0.5 * Math.atan2(2 * sxy, sxx - syy);
    for (let i = 0; i < n; i++) {
      const [x, y] = [xs[i] - mx, ys[i] - my];
      xs[i] = x * Math.cos(turn) - y * Math.sin(turn);
      ys[i] = x * Math.sin(turn) + y * Math.cos(turn);
    }
    // scale into the picture, centred, leaving room for the largest circles
    const pad = 30;
    const [minX, maxX] = [Math.min(...xs), Math.max(...xs)];
    const [minY, maxY] = [Math.min(...ys), Math.max(...ys)];
    const scale = Math.min(
      (WORLD_WIDTH - 2 * pad) / Math.max(maxX - minX, 1),
      (WORLD_HEIGHT - 2 * pad) / Math.max(maxY - minY, 1),
    );
    const ox = (WORLD_WIDTH - (maxX - minX) * scale) / 2;
    const oy = (WORLD_HEIGHT - (maxY - minY) * scale) / 2;
    return new Map(
      order.map((node, i) => [node.iso3, [ox + (xs[i] - minX) * scale, oy + (ys[i] - minY) * scale]]),
    );
  }

  async function loadWorld() {
    const mine = ++seq.world;
    const params = filterParams();
    if (!params.has("year") && state.years) {
      setWorldYear(state.years.last);
      params.set("year", String(state.years.last));
      saveUrl();
    }
    setStatus("loading");
    $("world").setAttribute("aria-busy", "true");
    try {
      const network = await api(`/v1/network?${params}`);
      const layout = await worldLayout(network.meta.data_version, network.nodes);
      if (mine !== seq.world) return;
      clearError();
      state.world = { network, year: params.get("year"), layout };
      renderCoverage(network.meta.coverage || [], params.get("year"));
      renderWorld();
      setStatus(() => t("worldStatus", { nodes: network.nodes.length, edges: network.edges.length }) + filterText());
    } catch (error) {
      if (mine !== seq.world) return;
      state.world = null;
      renderCoverage([]);
      renderWorld();
      setStatus(null);
      showError(error);
    } finally {
      if (mine === seq.world) $("world").removeAttribute("aria-busy");
    }
  }

  function regionName(region) {
    if (!region) return t("noRegion");
    return `region_${region}` in I18N[state.lang] ? t(`region_${region}`) : region;
  }

  function renderWorld() {
    const holder = $("world");
    const shown = state.world;
    if (shown) setWorldYear(shown.year);
    if (!shown || !shown.network.nodes.length) {
      holder.replaceChildren();
      $("world-caption").textContent = shown ? t("worldEmpty", { year: shown.year }) : "";
      $("world-legend").replaceChildren();
      return;
    }
    if (state.view !== "network") return; // drawn when shown: a hidden picture measures 0
    const { network, year, layout } = shown;
    const strongest = [...network.edges].sort((a, b) => b.weight - a.weight);
    const drawn = strongest.slice(0, WORLD_EDGES_MAX).reverse(); // the strongest on top
    const maxWeight = Math.max(1, ...network.edges.map((edge) => edge.weight));
    const maxDegree = Math.max(1, ...network.nodes.map((node) => node.degree));
    const lines = drawn.map((edge) => {
      const [x1, y1] = layout.places.get(edge.source);
      const [x2, y2] = layout.places.get(edge.target);
      return svg("line", {
        class: "edge",
        x1: x1.toFixed(1),
        y1: y1.toFixed(1),
        x2: x2.toFixed(1),
        y2: y2.toFixed(1),
        "stroke-width": (0.4 + (3.6 * edge.weight) / maxWeight).toFixed(2),
        "data-source": edge.source,
        "data-target": edge.target,
      });
    });
    const nodes = network.nodes.map((node) => {
      const [x, y] = layout.places.get(node.iso3);
      const r = 4 + 9 * Math.sqrt(node.degree / maxDegree);
      return nodeButton(
        { class: "node", "data-iso3": node.iso3 },
        t("worldNode", { name: node.name, n: node.degree, year }),
        () => showCountry(node.iso3),
        svg("circle", {
          cx: x.toFixed(1),
          cy: y.toFixed(1),
          r: r.toFixed(1),
          fill: REGION_COLOURS[node.region] || NO_REGION_COLOUR,
        }),
        svg(
          "text",
          { x: (x + r + 2).toFixed(1), y: (y + 4).toFixed(1), class: "label" },
          node.iso3,
        ),
      );
    });
    drawPicture(
      holder,
      { width: WORLD_WIDTH, height: WORLD_HEIGHT, title: t("worldTitle", { year }), kind: "world-map" },
      svg("g", { class: "edges", "aria-hidden": "true" }, lines),
      nodes,
    );
    $("world-caption").textContent =
      t("worldCaption", { nodes: network.nodes.length, edges: network.edges.length, year }) +
      (drawn.length < network.edges.length ? t("worldCapped", { shown: drawn.length }) : "");
    const regions = [...new Set(network.nodes.map((node) => node.region || ""))].sort();
    $("world-legend").replaceChildren(
      ...regions.map((region) =>
        h(
          "li",
          null,
          svg(
            "svg",
            { viewBox: "0 0 12 12", width: 12, height: 12, "aria-hidden": "true" },
            svg("circle", { cx: 6, cy: 6, r: 6, fill: REGION_COLOURS[region] || NO_REGION_COLOUR }),
          ),
          regionName(region),
        ),
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
        // Beside the partners (wide screens) the panel is sticky and already in view; below
        // them, it is brought up to the top.
        const top = $("evidence").getBoundingClientRect().top;
        if (top < 0 || top > window.innerHeight / 2) $("evidence").scrollIntoView({ block: "start" });
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
    $("view-country").addEventListener("click", () => switchView("country"));
    $("view-network").addEventListener("click", () => switchView("network"));
    $("world-year").addEventListener("input", () => {
      // dragging asks for the year the thumb rests on, not for every year it passes
      setWorldYear($("world-year").value);
      clearTimeout(slideTimer);
      slideTimer = setTimeout(reloadForFilters, 120);
    });
    $("year-previous").addEventListener("click", () => stepYear(-1));
    $("year-next").addEventListener("click", () => stepYear(1));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && state.pair && $("evidence").contains(document.activeElement)) {
        closeEvidence();
      }
    });

    try {
      await Promise.all([loadThreats(), loadYears()]);
    } catch (error) {
      showError(error);
    }
    if (params.get("threat")) $("threat-select").value = params.get("threat");
    if (params.get("year")) $("year-input").value = params.get("year");
    if (params.get("view") === "network") showView("network");
    if (params.get("country")) await selectCountry(params.get("country"), params.get("partner"));
    if (state.view === "network") await loadWorld();
    document.body.dataset.ready = "true";
  }

  start();
})();
