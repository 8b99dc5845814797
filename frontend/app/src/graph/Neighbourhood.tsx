// The practice's neighbourhood as a small SVG graph: the practice in the middle, its themes and
// its PES around it, related practices on the outer ring, joined to the themes they share.
// Every node is a link (Tab reaches it, arrow keys move between nodes); focusing or hovering a
// node highlights its neighbours. The same content follows as a list.
import { useRef, useState } from "preact/hooks";
import type { PracticeQuery } from "../gql/graphql";
import { type Key, useI18n } from "../i18n";
import { pageOf, withLang } from "../router";

type PracticeData = NonNullable<PracticeQuery["practice"]>;

interface GraphNode {
  id: string;
  label: string;
  kind: "practice" | "theme" | "pes" | "related";
  href: string | null;
  x: number;
  y: number;
}

const WIDTH = 720;
const HEIGHT = 470;
const KIND_LABEL: Record<GraphNode["kind"], Key> = {
  practice: "kindPractice",
  related: "kindPractice",
  theme: "kindTheme",
  pes: "kindPes",
};

function ring(count: number, radius: number, offset: number): [number, number][] {
  return Array.from({ length: count }, (_, i) => {
    const angle = offset + (2 * Math.PI * i) / Math.max(count, 1);
    return [WIDTH / 2 + radius * Math.cos(angle), HEIGHT / 2 + radius * Math.sin(angle) * 0.85];
  });
}

export function layout(practice: PracticeData) {
  const themes = practice.themes.nodes.slice(0, 6);
  const related = practice.related.nodes.slice(0, 6);
  const inner = [
    ...themes.map((t) => ({ id: t.iri, label: t.label, kind: "theme" as const })),
    ...(practice.pes ? [{ id: practice.pes.iri, label: practice.pes.acronym ?? practice.pes.label, kind: "pes" as const }] : []),
  ];
  const nodes: GraphNode[] = [
    { id: practice.iri, label: practice.title, kind: "practice", href: null, x: WIDTH / 2, y: HEIGHT / 2 },
  ];
  ring(inner.length, 120, -Math.PI / 2).forEach(([x, y], i) => nodes.push({ ...inner[i], href: pageOf(inner[i].id), x, y }));
  ring(related.length, 250, -Math.PI / 2 + Math.PI / Math.max(related.length, 1)).forEach(([x, y], i) =>
    nodes.push({ id: related[i].practice.iri, label: related[i].practice.title, kind: "related", href: pageOf(related[i].practice.iri), x, y }),
  );
  const known = new Set(nodes.map((n) => n.id));
  const edges: [string, string][] = inner.map((n) => [practice.iri, n.id]);
  for (const r of related) {
    const shared = r.reasons.flatMap((reason) => reason.nodes.map((n) => n.iri)).filter((iri) => known.has(iri) && iri !== r.practice.iri && iri !== practice.iri);
    const targets = [...new Set(shared)];
    if (targets.length === 0) targets.push(practice.iri);
    targets.forEach((iri) => edges.push([r.practice.iri, iri]));
  }
  return { nodes, edges };
}

function short(text: string, length = 22): string {
  if (text.length <= length) return text;
  const cut = text.lastIndexOf(" ", length - 1); // whole words: the name must contain them
  return `${text.slice(0, cut > 0 ? cut : length - 1)}…`;
}

export function NeighbourhoodGraph(props: { practice: PracticeData }) {
  const { t, lang } = useI18n();
  const { nodes, edges } = layout(props.practice);
  const [active, setActive] = useState<string | null>(null);
  const svg = useRef<SVGSVGElement>(null);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const neighbours = new Set<string>();
  if (active) {
    neighbours.add(active);
    edges.forEach(([a, b]) => (a === active ? neighbours.add(b) : b === active && neighbours.add(a)));
  }
  const dim = (id: string) => active !== null && !neighbours.has(id);
  const onKey = (event: KeyboardEvent, index: number) => {
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (!step) return;
    event.preventDefault();
    const links = svg.current?.querySelectorAll<SVGAElement>("a.node");
    if (!links?.length) return;
    links[(index + step + links.length) % links.length].focus();
  };
  const linked = nodes.filter((n) => n.href);
  return (
    <div class="graph">
      <svg ref={svg} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="group" aria-label={t("graphLabel")} class="graph-svg">
        <g class="edges" aria-hidden="true">
          {edges.map(([a, b]) => {
            const from = byId.get(a)!;
            const to = byId.get(b)!;
            return <line key={`${a} ${b}`} x1={from.x} y1={from.y} x2={to.x} y2={to.y} class={dim(a) || dim(b) ? "dim" : active && (a === active || b === active) ? "hot" : ""} />;
          })}
        </g>
        {nodes.map((node) => {
          const body = (
            <>
              <circle cx={node.x} cy={node.y} r={node.kind === "practice" ? 16 : 10} class={`n-${node.kind}`} />
              <text x={node.x} y={node.y + (node.kind === "practice" ? -24 : 24)} text-anchor="middle">
                {short(node.label, node.kind === "practice" ? 40 : 22)}
              </text>
            </>
          );
          // the visible (possibly shortened) text starts the name, as WCAG 2.5.3 asks
          const name = `${node.label} (${t(KIND_LABEL[node.kind])})`;
          if (!node.href) {
            return (
              <g key={node.id} class={`node center${dim(node.id) ? " dim" : ""}`} role="img" aria-label={name}>
                {body}
              </g>
            );
          }
          const index = linked.indexOf(node);
          return (
            <a
              key={node.id}
              href={withLang(node.href, lang)}
              class={`node${dim(node.id) ? " dim" : ""}`}
              aria-label={name}
              onFocus={() => setActive(node.id)}
              onBlur={() => setActive(null)}
              onMouseEnter={() => setActive(node.id)}
              onMouseLeave={() => setActive(null)}
              onKeyDown={(e) => onKey(e, index)}
            >
              <title>{name}</title>
              {body}
            </a>
          );
        })}
      </svg>
      <details class="graph-list">
        <summary>{t("graphAsList")}</summary>
        <ul>
          {nodes.map((node) => {
            const links = edges.filter(([a, b]) => a === node.id || b === node.id).map(([a, b]) => byId.get(a === node.id ? b : a)!);
            return (
              <li key={node.id}>
                {node.href ? <a href={withLang(node.href, lang)}>{node.label}</a> : <strong>{node.label}</strong>} ({t(KIND_LABEL[node.kind])})
                {links.length > 0 && <> → {links.map((n) => n.label).join("; ")}</>}
              </li>
            );
          })}
        </ul>
      </details>
    </div>
  );
}
