// A choropleth of practices per country, drawn from the world topology world-atlas ships (Natural
// Earth, 1:110m) with d3-geo: no tile server. The counts follow the same URL filters as the
// search (a theme, a year range, …); clicking a country opens the search filtered by it. A
// table lists the same counts for keyboards and screen readers.
import { geoEqualEarth, geoPath } from "d3-geo";
import type { Feature, Geometry } from "geojson";
import { whereNumeric } from "iso-3166-1";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import world from "world-atlas/countries-110m.json";
import { Failure, Link, Loading, Title } from "../components/common";
import { DIMENSIONS, filterOf, toggled } from "../filters";
import { MapCountsDocument } from "../gql/graphql";
import { useI18n, numberFormat } from "../i18n";
import { useQuery } from "../query";
import { navigate, slug, withLang } from "../router";

const WIDTH = 960;
const HEIGHT = 500;
const COLOURS = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];

type Country = Feature<Geometry, { name: string }> & { id?: string | number };

const topology = world as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
const countries = (feature(topology, topology.objects.countries) as unknown as { features: Country[] }).features;
const projection = geoEqualEarth().fitSize([WIDTH, HEIGHT], { type: "FeatureCollection", features: countries });
const path = geoPath(projection);
const shapes = countries.map((c) => ({
  alpha3: c.id === undefined ? undefined : whereNumeric(String(c.id).padStart(3, "0"))?.alpha3,
  name: c.properties.name,
  d: path(c) ?? "",
}));

function classes(max: number): number[] {
  // upper bounds of at most five classes on a quadratic scale (a few countries have most
  // practices); equal bounds of small counts merge
  const bounds = COLOURS.map((_, i) => Math.max(1, Math.round(max * ((i + 1) / COLOURS.length) ** 2)));
  return [...new Set(bounds)];
}

export function MapView(props: { params: URLSearchParams }) {
  const { t, lang } = useI18n();
  const filter = filterOf(props.params);
  delete filter.countries;
  const { data, error, reload } = useQuery(MapCountsDocument, { filter, lang });
  const base = new URLSearchParams(props.params);
  base.delete("country");
  base.delete("page");
  const searchFor = (alpha3: string) => `/search?${toggled(base, "country", alpha3)}`;
  const number = numberFormat(lang);
  const filtered = Object.keys(DIMENSIONS).some((d) => d !== "country" && base.has(d)) || base.has("q");
  if (error) return <Failure error={error} retry={reload} />;
  const counts = new Map((data?.practices.facets.countries ?? []).map((c) => [c.country.notation ?? slug(c.country.iri), c]));
  const max = Math.max(1, ...[...counts.values()].map((c) => c.count));
  const bounds = classes(max);
  const shades = COLOURS.slice(COLOURS.length - bounds.length);
  const colour = (n: number) => shades[bounds.findIndex((b) => n <= b)] ?? shades[shades.length - 1];
  return (
    <div class="map">
      <Title text={t("mapTitle")} />
      <p>{t("mapHint")}</p>
      {filtered && (
        <p>
          <Link href="/map">{t("clearFilters")}</Link>
        </p>
      )}
      {!data && <Loading />}
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} class="world" role="group" aria-label={t("mapTitle")}>
        {shapes.map((shape, i) => {
          const found = shape.alpha3 ? counts.get(shape.alpha3) : undefined;
          if (!found || !shape.alpha3) return <path key={i} d={shape.d} class="land" aria-hidden="true" />;
          const label = t("countryPractices", { country: found.country.label, n: found.count });
          const alpha3 = shape.alpha3;
          return (
            <a
              key={i}
              href={withLang(searchFor(alpha3), lang)}
              aria-label={label}
              class="country"
              data-country={alpha3}
              onClick={(e) => {
                e.preventDefault();
                navigate(searchFor(alpha3));
              }}
            >
              <title>{label}</title>
              <path d={shape.d} fill={colour(found.count)} />
            </a>
          );
        })}
      </svg>
      <div class="legend" aria-hidden="true">
        <span>{t("mapLegend")}:</span>
        {bounds.map((b, i) => (
          <span key={i} class="swatch">
            <span class="box" style={{ background: shades[i] }} /> ≤ {number.format(b)}
          </span>
        ))}
      </div>
      {data && (
        <details class="map-table">
          <summary>{t("mapTable")} ({counts.size})</summary>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("country")}</th>
                <th scope="col">{t("practices")}</th>
              </tr>
            </thead>
            <tbody>
              {data.practices.facets.countries.map((c) => (
                <tr key={c.country.iri}>
                  <td>
                    <Link href={searchFor(c.country.notation ?? slug(c.country.iri))}>{c.country.label}</Link>
                  </td>
                  <td>{number.format(c.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </div>
  );
}
