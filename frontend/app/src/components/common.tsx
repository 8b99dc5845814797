import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { useI18n } from "../i18n";
import { pageOf, withLang } from "../router";

/** A link to an app page; ``href`` gets the current language. */
export function Link(props: { href: string; children: ComponentChildren; class?: string; "aria-current"?: "page" }) {
  const { lang } = useI18n();
  return (
    <a href={withLang(props.href, lang)} class={props.class} aria-current={props["aria-current"]}>
      {props.children}
    </a>
  );
}

/** A link to the app page of an entity, or plain text when the app has none for its kind. */
export function EntityLink(props: { iri: string; children: ComponentChildren }) {
  const page = pageOf(props.iri);
  return page ? <Link href={page}>{props.children}</Link> : <span>{props.children}</span>;
}

/** Sets the document title and moves focus to the view's heading, for screen readers. */
export function Title(props: { text: string; sub?: string }) {
  const { t } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.text} · ${t("appName")}`;
  }, [props.text, t]);
  useEffect(() => {
    if (document.activeElement === document.body) heading.current?.focus({ preventScroll: true });
  }, [props.text]);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {props.text}
      {props.sub && <span class="sub"> {props.sub}</span>}
    </h1>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p class="loading" role="status">
      {t("loading")}
    </p>
  );
}

export function Failure(props: { error: Error; retry?: () => void }) {
  const { t } = useI18n();
  return (
    <div class="failure" role="alert">
      <p>
        {t("error")}: {props.error.message}
      </p>
      {props.retry && (
        <button type="button" onClick={props.retry}>
          {t("retry")}
        </button>
      )}
    </div>
  );
}

export function NotFound(props: { entity?: boolean }) {
  const { t } = useI18n();
  return (
    <section>
      <Title text={props.entity ? t("notFoundEntity") : t("notFound")} />
      <p>
        <Link href="/">{t("backHome")}</Link>
      </p>
    </section>
  );
}

export function Section(props: { title: string; id: string; children: ComponentChildren; class?: string }) {
  return (
    <section aria-labelledby={props.id} class={props.class}>
      <h2 id={props.id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

export function Chips(props: { items: { iri: string; label: string }[]; label: string }) {
  if (!props.items.length) return null;
  return (
    <ul class="chips" aria-label={props.label}>
      {props.items.map((item) => (
        <li key={item.iri}>
          <EntityLink iri={item.iri}>{item.label}</EntityLink>
        </li>
      ))}
    </ul>
  );
}

export function External(props: { href: string }) {
  return (
    <a href={props.href} rel="noopener noreferrer" data-external="">
      {props.href}
    </a>
  );
}
