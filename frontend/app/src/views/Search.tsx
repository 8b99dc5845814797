import { useEffect, useState } from "preact/hooks";
import { PracticeCard } from "../components/cards";
import { Failure, Link, Loading, Title } from "../components/common";
import { DIMENSIONS, PAGE_SIZE, pageOf, searchVariables, sortOf, toggled, withParam } from "../filters";
import { type SearchQuery, SearchDocument, ThemeTreeDocument } from "../gql/graphql";
import { type Key, useI18n, numberFormat } from "../i18n";
import { useQuery } from "../query";
import { navigate, slug } from "../router";
import { type ThemeNode, themeTree } from "../themes";
import { SearchBox } from "./Home";

type Facets = SearchQuery["practices"]["facets"];

interface Option {
  value: string;
  label: string;
  count: number;
  children?: Option[];
  dimension?: string; // when it differs from its group's (countries under their region)
}

function go(params: URLSearchParams) {
  navigate(`/search?${params}`);
}

const CHILDREN_SHOWN = 8; // more behind a button: long lists cost render time and attention

function Check(props: { dimension: string; option: Option; params: URLSearchParams }) {
  const { lang } = useI18n();
  const [all, setAll] = useState(false);
  const { option, params } = props;
  const dimension = option.dimension ?? props.dimension;
  const id = `f-${dimension}-${option.value}`;
  const checked = params.getAll(dimension).includes(option.value);
  return (
    <li>
      <input id={id} type="checkbox" checked={checked} onChange={() => go(toggled(params, dimension, option.value))} />
      <label for={id}>
        {option.label} <span class="count">{numberFormat(lang).format(option.count)}</span>
      </label>
      {option.children && option.children.length > 0 && (
        <ul>
          {option.children
            .filter((child, i) => all || i < CHILDREN_SHOWN || params.getAll(child.dimension ?? dimension).includes(child.value))
            .map((child) => (
              <Check key={child.value} dimension={dimension} option={child} params={params} />
            ))}
          {!all && option.children.length > CHILDREN_SHOWN && (
            <li>
              <button type="button" class="link" onClick={() => setAll(true)}>
                + {option.children.length - CHILDREN_SHOWN}
                <span class="sr-only"> ({option.label})</span>
              </button>
            </li>
          )}
        </ul>
      )}
    </li>
  );
}

function FacetGroup(props: {
  title: string;
  dimension: string;
  options: Option[];
  params: URLSearchParams;
  limit?: number;
}) {
  const [all, setAll] = useState(false);
  if (!props.options.length) return null;
  const selected = new Set(props.params.getAll(props.dimension));
  const limit = props.limit ?? Infinity;
  const shown = all ? props.options : props.options.filter((o, i) => i < limit || selected.has(o.value));
  return (
    <fieldset class="facet">
      <legend>{props.title}</legend>
      <ul>
        {shown.map((option) => (
          <Check key={option.value} dimension={props.dimension} option={option} params={props.params} />
        ))}
      </ul>
      {shown.length < props.options.length && (
        <button type="button" class="link" onClick={() => setAll(true)}>
          + {props.options.length - shown.length}
          <span class="sr-only"> ({props.title})</span>
        </button>
      )}
    </fieldset>
  );
}

function themeOptions(nodes: ThemeNode[], counts: Map<string, number>, selected: Set<string>): Option[] {
  return nodes
    .filter((node) => counts.has(node.iri) || selected.has(slug(node.iri)))
    .map((node) => ({
      value: slug(node.iri),
      label: node.label,
      count: counts.get(node.iri) ?? 0,
      children: themeOptions(node.children, counts, selected),
    }));
}

function regionOptions(facets: Facets): Option[] {
  return facets.regions.map((r) => ({
    value: slug(r.region.iri),
    label: r.region.label,
    count: r.count,
    children: facets.countries
      .filter((c) => c.country.region?.iri === r.region.iri)
      .map((c) => ({ value: slug(c.country.iri), label: c.country.label, count: c.count, dimension: "country" })),
  }));
}

function YearRange(props: { facets: Facets; params: URLSearchParams }) {
  const { t } = useI18n();
  const years = props.facets.years.map((y) => y.year);
  if (!years.length) return null;
  const select = (name: "from" | "to", label: string) => (
    <label>
      {label}{" "}
      <select value={props.params.get(name) ?? ""} onChange={(e) => go(withParam(props.params, name, (e.target as HTMLSelectElement).value))}>
        <option value="">{t("anyYear")}</option>
        {years.map((year) => (
          <option key={year} value={String(year)}>
            {year}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <fieldset class="facet years">
      <legend>{t("years")}</legend>
      {select("from", t("yearFrom"))} {select("to", t("yearTo"))}
    </fieldset>
  );
}

function FacetPanel(props: { facets: Facets; params: URLSearchParams; tree: ThemeNode[] }) {
  const { t } = useI18n();
  const { facets, params } = props;
  const themeCounts = new Map(facets.themes.map((c) => [c.theme.iri, c.count]));
  const has = Object.keys(DIMENSIONS).some((d) => params.has(d)) || params.has("from") || params.has("to");
  return (
    <aside class="facets" aria-labelledby="filters-title">
      <h2 id="filters-title">{t("filters")}</h2>
      {has && (
        <button type="button" class="link" onClick={() => go(new URLSearchParams(params.get("q") ? { q: params.get("q")! } : {}))}>
          {t("clearFilters")}
        </button>
      )}
      <FacetGroup title={t("themes")} dimension="theme" params={params} options={themeOptions(props.tree, themeCounts, new Set(params.getAll("theme")))} />
      <FacetGroup title={t("regionCountry")} dimension="region" params={params} options={regionOptions(facets)} />
      <FacetGroup
        title={t("pes")}
        dimension="pes"
        params={params}
        limit={8}
        options={facets.pes.map((p) => ({ value: slug(p.pes.iri), label: p.pes.acronym ? `${p.pes.label} (${p.pes.acronym})` : p.pes.label, count: p.count }))}
      />
      <FacetGroup
        title={t("targetGroups")}
        dimension="tg"
        params={params}
        limit={8}
        options={facets.targetGroups.map((g) => ({ value: slug(g.targetGroup.iri), label: g.targetGroup.label, count: g.count }))}
      />
      <YearRange facets={facets} params={params} />
      <FacetGroup
        title={t("eventTypes")}
        dimension="etype"
        params={params}
        options={facets.eventTypes.map((e) => ({ value: slug(e.eventType.iri), label: e.eventType.label, count: e.count }))}
      />
      <FacetGroup
        title={t("networks")}
        dimension="network"
        params={params}
        options={facets.networks.map((n) => ({ value: slug(n.network.iri), label: n.network.label, count: n.count }))}
      />
    </aside>
  );
}

/** Labels of the picked filter values, for the "remove a filter" buttons. */
function activeFilters(params: URLSearchParams, facets: Facets | null, tree: ThemeNode[], t: (k: Key) => string) {
  const labels = new Map<string, string>();
  const walk = (nodes: ThemeNode[]) => nodes.forEach((n) => (labels.set(`theme:${slug(n.iri)}`, n.label), walk(n.children)));
  walk(tree);
  facets?.regions.forEach((r) => labels.set(`region:${slug(r.region.iri)}`, r.region.label));
  facets?.countries.forEach((c) => labels.set(`country:${slug(c.country.iri)}`, c.country.label));
  facets?.pes.forEach((p) => labels.set(`pes:${slug(p.pes.iri)}`, p.pes.acronym ?? p.pes.label));
  facets?.targetGroups.forEach((g) => labels.set(`tg:${slug(g.targetGroup.iri)}`, g.targetGroup.label));
  facets?.eventTypes.forEach((e) => labels.set(`etype:${slug(e.eventType.iri)}`, e.eventType.label));
  facets?.networks.forEach((n) => labels.set(`network:${slug(n.network.iri)}`, n.network.label));
  const active: { label: string; params: URLSearchParams }[] = [];
  for (const dimension of Object.keys(DIMENSIONS)) {
    for (const value of params.getAll(dimension)) {
      active.push({ label: labels.get(`${dimension}:${value}`) ?? value, params: toggled(params, dimension, value) });
    }
  }
  for (const [name, key] of [["from", "yearFrom"], ["to", "yearTo"]] as const) {
    const value = params.get(name);
    if (value) active.push({ label: `${t(key)} ${value}`, params: withParam(params, name, null) });
  }
  const q = params.get("q");
  if (q) active.push({ label: q, params: withParam(params, "q", null) });
  return active;
}

function Pager(props: { total: number; params: URLSearchParams }) {
  const { t } = useI18n();
  const pages = Math.max(1, Math.ceil(props.total / PAGE_SIZE));
  const page = Math.min(pageOf(props.params), pages);
  if (pages <= 1) return null;
  const href = (n: number) => `/search?${withParam(props.params, "page", n === 1 ? null : String(n))}`;
  return (
    <nav class="pager" aria-label={t("pagination")}>
      {page > 1 ? <Link href={href(page - 1)}>← {t("previous")}</Link> : <span aria-hidden="true" />}
      <span>{t("page", { n: page, m: pages })}</span>
      {page < pages ? <Link href={href(page + 1)}>{t("next")} →</Link> : <span aria-hidden="true" />}
    </nav>
  );
}

export function Search(props: { params: URLSearchParams }) {
  const { t, lang } = useI18n();
  const { params } = props;
  const page = pageOf(params);
  const { data, error, loading, reload } = useQuery(SearchDocument, searchVariables(params, lang));
  const themes = useQuery(ThemeTreeDocument, { lang });
  // the first list paints before the facet panel, which follows in the next frame
  const [facetsShown, setFacetsShown] = useState(false);
  const hasData = data !== null;
  useEffect(() => {
    if (!hasData || facetsShown) return;
    const frame = requestAnimationFrame(() => setFacetsShown(true));
    return () => cancelAnimationFrame(frame);
  }, [hasData, facetsShown]);
  const tree = themes.data ? themeTree(themes.data.themes.nodes) : [];
  const q = params.get("q") ?? "";
  const sort = sortOf(params);
  const active = activeFilters(params, data?.practices.facets ?? null, tree, t);
  const total = data?.practices.totalCount ?? 0;
  return (
    <div class="search">
      <Title text={t("navSearch")} />
      <SearchBox key={q} value={q} params={params} />
      {error && <Failure error={error} retry={reload} />}
      {!data && !error && <Loading />}
      {data && (
        <div class="search-layout" aria-busy={loading}>
          {facetsShown ? (
            <FacetPanel facets={data.practices.facets} params={params} tree={tree} />
          ) : (
            <aside class="facets" aria-busy="true" aria-labelledby="filters-title">
              <h2 id="filters-title">{t("filters")}</h2>
            </aside>
          )}
          <section class="results" aria-labelledby="results-title">
            <div class="toolbar">
              <h2 id="results-title" aria-live="polite">
                {q ? t("resultsFor", { n: total, q }) : t("results", { n: total })}
              </h2>
              <label>
                {t("sortBy")}{" "}
                <select value={sort} onChange={(e) => go(withParam(params, "sort", (e.target as HTMLSelectElement).value))}>
                  {q && <option value="relevance">{t("sortRelevance")}</option>}
                  <option value="title">{t("sortTitle")}</option>
                  <option value="newest">{t("sortNewest")}</option>
                  <option value="oldest">{t("sortOldest")}</option>
                </select>
              </label>
            </div>
            {active.length > 0 && (
              <ul class="active-filters" aria-label={t("filters")}>
                {active.map((filter) => (
                  <li key={filter.label}>
                    <button type="button" onClick={() => go(filter.params)} aria-label={t("removeFilter", { label: filter.label })}>
                      {filter.label} ×
                    </button>
                  </li>
                ))}
              </ul>
            )}
            {total === 0 ? (
              <div class="empty" role="status">
                <p>{t("noResults")}</p>
                {active.length > 0 && (
                  <>
                    <p>{t("noResultsHint")}</p>
                    <ul>
                      {active.map((filter) => (
                        <li key={filter.label}>
                          <Link href={`/search?${filter.params}`}>{t("removeFilter", { label: filter.label })}</Link>
                        </li>
                      ))}
                    </ul>
                  </>
                )}
              </div>
            ) : (
              <ol class="cards result-list" start={(page - 1) * PAGE_SIZE + 1}>
                {data.practices.nodes.map((practice) => (
                  <li key={practice.iri}>
                    <PracticeCard practice={practice} />
                  </li>
                ))}
              </ol>
            )}
            <Pager total={total} params={params} />
          </section>
        </div>
      )}
    </div>
  );
}
