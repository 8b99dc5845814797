import type { ContributionPartsFragment, PracticeCardFragment, ReasonPartsFragment } from "../gql/graphql";
import { type Key, useI18n, numberFormat } from "../i18n";
import { EntityLink, Link } from "./common";
import { slug } from "../router";

export function PracticeCard(props: { practice: PracticeCardFragment; headingLevel?: 2 | 3 }) {
  const { practice } = props;
  const { t } = useI18n();
  const Heading = props.headingLevel === 2 ? "h2" : "h3";
  return (
    <article class="card">
      <Heading class="card-title">
        <Link href={`/practice/${slug(practice.iri)}`}>{practice.title}</Link>
      </Heading>
      <p class="meta">
        {practice.pes && <EntityLink iri={practice.pes.iri}>{practice.pes.acronym ?? practice.pes.label}</EntityLink>}
        {practice.country && <span> · {practice.country.label}</span>}
        {practice.year && <span> · {practice.year}</span>}
      </p>
      {practice.abstract && <p class="abstract">{clip(practice.abstract, 220)}</p>}
      {practice.themes.nodes.length > 0 && (
        <ul class="chips small" aria-label={t("themes")}>
          {practice.themes.nodes.map((theme) => (
            <li key={theme.iri}>{theme.label}</li>
          ))}
        </ul>
      )}
    </article>
  );
}

export function clip(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, text.lastIndexOf(" ", length))}…`;
}

const SIGNALS: Record<string, Key> = {
  theme: "signalTheme",
  "broader-theme": "signalBroaderTheme",
  "target-group": "signalTargetGroup",
  pes: "signalPes",
  country: "signalCountry",
  region: "signalRegion",
  event: "signalEvent",
  network: "signalNetwork",
  path: "signalPath",
  "related-theme": "signalRelatedTheme",
  text: "signalText",
  feedback: "signalFeedback",
  "peer-theme": "signalPeerTheme",
  "peer-target-group": "signalPeerTargetGroup",
  "peer-event": "signalPeerEvent",
};

export function signalName(signal: string, t: (key: Key) => string): string {
  const key = SIGNALS[signal];
  return key ? t(key) : signal;
}

/** The reasons of a recommendation as sentences: "Shared themes: Youth Guarantee, …". */
export function Reasons(props: { reasons: ReasonPartsFragment[] }) {
  const { t } = useI18n();
  return (
    <ul class="reasons">
      {props.reasons.map((reason, index) => {
        const nodes = reason.nodes.filter((node) => reason.signal === "path" || node.kind !== "practice");
        return (
          <li key={index}>
            <strong>{signalName(reason.signal, t)}</strong>
            {nodes.length === 0 && <span class="meta"> ({reason.text})</span>}
            {nodes.length > 0 && ": "}
            {nodes.map((node, i) => (
              <>
                {i > 0 && (reason.signal === "path" ? " → " : ", ")}
                <EntityLink iri={node.iri}>{node.label}</EntityLink>
              </>
            ))}
          </li>
        );
      })}
    </ul>
  );
}

/** How much each signal gave to the score, as shares of the whole, largest first. */
export function Contributions(props: { contributions: ContributionPartsFragment[] }) {
  const { t, lang } = useI18n();
  const bySignal = new Map<string, number>();
  for (const part of props.contributions) {
    bySignal.set(part.signal, (bySignal.get(part.signal) ?? 0) + Math.max(part.value, 0));
  }
  const total = [...bySignal.values()].reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const percent = numberFormat(lang, true);
  const rows = [...bySignal.entries()].sort((a, b) => b[1] - a[1]).filter(([, value]) => value / total >= 0.01);
  return (
    <dl class="contributions" aria-label={t("matchShare")}>
      {rows.map(([signal, value]) => (
        <div key={signal} class="contribution">
          <dt>{signalName(signal, t)}</dt>
          <dd>
            <span class="bar" aria-hidden="true">
              <span class="fill" style={{ width: `${Math.round((100 * value) / total)}%` }} />
            </span>
            {percent.format(value / total)}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function Recommendation(props: {
  href: string;
  title: string;
  meta: string;
  score: number;
  reasons: ReasonPartsFragment[];
  contributions: ContributionPartsFragment[];
}) {
  const { t } = useI18n();
  return (
    <li class="recommendation">
      <p class="rec-title">
        <Link href={props.href}>{props.title}</Link>
        <span class="score">{t("score", { n: Math.round(props.score * 100) })}</span>
      </p>
      <p class="meta">{props.meta}</p>
      <Reasons reasons={props.reasons} />
      <details>
        <summary>{t("matchShare")}</summary>
        <Contributions contributions={props.contributions} />
      </details>
    </li>
  );
}
