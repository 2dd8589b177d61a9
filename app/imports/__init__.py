"""Importers of research datasets: one small framework, one adapter per dataset.

How an import runs (`base.run_import`), all in the caller's single transaction:

1. the adapter reads the file into `SourceRow`s, each with a locator that says where in the
   dataset the row stands (for MME v7 its MMEID);
2. the adapter parses every row into a record of the target model, or rejects it with a
   reason; participant names go through `countries.CountryResolver` (the alias table in
   `seed/data/country_aliases.yaml`), which remembers every name it could not resolve and
   the rows it appears in;
3. unresolved names stop the import before anything is written, unless the user chose to
   skip them;
4. the adapter's writer bulk-loads the records, citing the dataset with each row's locator;
   that citation is also how a re-import recognises a row it has already loaded;
5. the data version moves only if something was written.

Adding a dataset means one new module, nothing changed here or in `mme.py`. An ATOP adapter
(alliance membership: `atopid, member, yrent, moent, dayent, yrexit, moexit, dayexit,
defense, offense, neutral, nonagg, consul`) would be `app/imports/atop.py` with:

- `read`: the member-level CSV, locator `atop{atopid}:{member}:{yrent}`;
- `parse`: `member` (a COW code) to a country through `Country.cow_code`, entry and exit
  through `dates.partial_date_from_parts` (ATOP writes 0 for an unknown month or day), the
  obligation flags into a record `MembershipRecord(atopid, country_id, start, end, flags)`;
- `write`: a `MembershipWriter` that creates one organization per alliance (`atop-{atopid}`)
  and bulk-inserts `Membership` rows with their citations, on the same pattern as
  `editions.EditionWriter`;
- a `typer` command `atop PATH` in `cli.py` that calls `run_import` with the adapter.
"""
