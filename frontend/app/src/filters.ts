// The search state in the URL: one parameter per filter dimension (repeated for several
// values, each a slug the API accepts), plus q, sort, from/to years and page.
import { cursorAt } from "./api";
import type { PracticeFilter, PracticeOrder, SearchQueryVariables } from "./gql/graphql";

export const DIMENSIONS = {
  theme: "themes",
  region: "regions",
  country: "countries",
  pes: "pes",
  tg: "targetGroups",
  etype: "eventTypes",
  network: "networks",
} as const;
export type Dimension = keyof typeof DIMENSIONS;

export const PAGE_SIZE = 20;

export function filterOf(params: URLSearchParams): PracticeFilter {
  const filter: PracticeFilter = {};
  for (const [param, field] of Object.entries(DIMENSIONS)) {
    const values = params.getAll(param);
    if (values.length) filter[field] = values;
  }
  const q = params.get("q")?.trim();
  if (q) filter.search = q;
  const from = Number(params.get("from"));
  const to = Number(params.get("to"));
  if (params.get("from") && Number.isInteger(from)) filter.yearFrom = from;
  if (params.get("to") && Number.isInteger(to)) filter.yearTo = to;
  return filter;
}

const ORDERS: Record<string, PracticeOrder> = {
  relevance: "RELEVANCE",
  title: "TITLE",
  newest: "NEWEST",
  oldest: "OLDEST",
};

export function sortOf(params: URLSearchParams): string {
  const sort = params.get("sort");
  if (sort && sort in ORDERS && (sort !== "relevance" || params.get("q"))) return sort;
  return params.get("q") ? "relevance" : "title";
}

export function orderOf(params: URLSearchParams): PracticeOrder {
  return ORDERS[sortOf(params)];
}

export function pageOf(params: URLSearchParams): number {
  const page = Number(params.get("page") ?? "1");
  return Number.isInteger(page) && page > 0 ? page : 1;
}

/** ``params`` with ``value`` of ``dimension`` added or removed, back on page 1. */
export function toggled(params: URLSearchParams, dimension: string, value: string): URLSearchParams {
  const next = new URLSearchParams(params);
  const values = next.getAll(dimension);
  next.delete(dimension);
  const kept = values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
  kept.forEach((v) => next.append(dimension, v));
  next.delete("page");
  return next;
}

export function withParam(params: URLSearchParams, name: string, value: string | null): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value === null || value === "") next.delete(name);
  else next.set(name, value);
  if (name !== "page") next.delete("page");
  return next;
}

/** The variables of the search view's query for the state in ``params``. */
export function searchVariables(params: URLSearchParams, lang: string): SearchQueryVariables {
  const page = pageOf(params);
  return { filter: filterOf(params), orderBy: orderOf(params), first: PAGE_SIZE, after: cursorAt((page - 1) * PAGE_SIZE), lang };
}
