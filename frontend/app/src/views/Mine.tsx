// "My PES": a member pastes their token (kept in sessionStorage only, so it goes with the tab),
// sees their PES's practices, and creates or edits one. Each InvalidInput error the API
// returns is shown next to its field (its path names the input field) and in a summary, in the
// reader's language: its code (REQUIRED, INVALID_FORMAT, ...) picks the words, and the service's
// own English message is the fallback for a code the form has no words for.
import { useEffect, useState } from "preact/hooks";
import { request } from "../api";
import { PracticeCard } from "../components/cards";
import { Failure, Link, Loading, Title } from "../components/common";
import {
  CreatePracticeDocument,
  EditablePracticeDocument,
  MyPracticesDocument,
  UpdatePracticeDocument,
  type FieldErrorCode,
  type ViewerQuery,
  ViewerDocument,
} from "../gql/graphql";
import { type Key, type Translate, useI18n } from "../i18n";
import { forget, useQuery } from "../query";
import { navigate, slug } from "../router";

const TOKEN_KEY = "graphsvc.token";

function SignIn(props: { onToken: (token: string) => void; invalid: boolean }) {
  const { t } = useI18n();
  const submit = (event: Event) => {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).elements.namedItem("token") as HTMLInputElement;
    if (input.value.trim()) props.onToken(input.value.trim());
  };
  return (
    <form class="signin" onSubmit={submit}>
      <label for="token">{t("tokenLabel")}</label>
      <p id="token-hint" class="hint">
        {t("tokenHint")}
      </p>
      <input id="token" name="token" type="password" autoComplete="off" aria-describedby="token-hint" aria-invalid={props.invalid} />
      {props.invalid && (
        <p class="error" role="alert">
          {t("tokenInvalid")}
        </p>
      )}
      <button type="submit">{t("signIn")}</button>
    </form>
  );
}

interface FormState {
  title: string;
  abstract: string;
  themes: string[];
  targetGroups: string[];
  country: string;
  date: string;
  sources: string;
}

const EMPTY: FormState = { title: "", abstract: "", themes: [], targetGroups: [], country: "", date: "", sources: "" };
const FIELDS = ["title", "abstract", "themes", "targetGroups", "country", "date", "sources"] as const;
type Field = (typeof FIELDS)[number];
interface Problem {
  code: FieldErrorCode | null;
  message: string;
  value?: string | null;
  limit?: number | null;
}
type Errors = Partial<Record<Field | "form", Problem[]>>;

// what to enter in each field: the advice for a value that is missing or not valid
const HINT: Record<Field, Key> = {
  title: "errTitle",
  abstract: "errAbstract",
  themes: "errThemes",
  targetGroups: "errTargetGroups",
  country: "errCountry",
  date: "errDate",
  sources: "errSources",
};

/** A problem with ``field`` in plain words of the reader's language. */
function plain(t: Translate, field: Field, problem: Problem): string {
  const hint = t(HINT[field]);
  switch (problem.code) {
    case "REQUIRED":
      return hint;
    case "INVALID_FORMAT":
    case "NOT_FOUND":
    case "WRONG_KIND":
    case "NOT_ALLOWED":
      return problem.value ? `${t("errNotValid", { value: problem.value })} ${hint}` : hint;
    case "TOO_LONG":
      return problem.limit != null ? t("errTooLong", { limit: problem.limit }) : hint;
    case "TOO_MANY":
      return problem.limit != null ? t("errTooMany", { limit: problem.limit }) : t("errOnlyOne");
    case "DUPLICATE_LANGUAGE":
      return t("errTwoInOneLanguage");
    default:
      return problem.message;
  }
}

function english(texts: { lang: string; text: string }[]): string {
  return (texts.find((x) => x.lang === "en") ?? texts[0])?.text ?? "";
}

function PracticeForm(props: { token: string; viewer: ViewerQuery; edit: string | null; pesCountry: string | null }) {
  const { t } = useI18n();
  const [state, setState] = useState<FormState>(EMPTY);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [loaded, setLoaded] = useState(props.edit === null);
  useEffect(() => {
    if (props.edit === null) {
      setState(EMPTY);
      setLoaded(true);
      return;
    }
    setLoaded(false);
    request(EditablePracticeDocument, { id: props.edit }, { token: props.token }).then((data) => {
      const p = data.practice;
      if (p) {
        setState({
          title: english(p.titles),
          abstract: english(p.abstracts),
          themes: p.themes.nodes.map((n) => n.iri),
          targetGroups: p.targetGroups.nodes.map((n) => n.iri),
          country: p.country?.iri ?? "",
          date: p.date ?? "",
          sources: p.sources.join("\n"),
        });
      }
      setLoaded(true);
    });
  }, [props.edit]);
  useEffect(() => {
    // a new practice is in its PES's country unless the member picks another
    if (props.edit === null && props.pesCountry) setState((s) => (s.country ? s : { ...s, country: props.pesCountry! }));
  }, [props.pesCountry, props.edit]);
  if (!loaded) return <Loading />;
  const set = (field: keyof FormState, value: string | string[]) => setState((s) => ({ ...s, [field]: value }));
  const toggle = (field: "themes" | "targetGroups", iri: string) =>
    set(field, state[field].includes(iri) ? state[field].filter((x) => x !== iri) : [...state[field], iri]);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const input = {
      title: state.title.trim() ? [{ lang: "en", text: state.title.trim() }] : [],
      abstract: state.abstract.trim() ? [{ lang: "en", text: state.abstract.trim() }] : [],
      themes: state.themes,
      targetGroups: state.targetGroups,
      country: state.country || null,
      date: state.date.trim() || null,
      sources: state.sources.split("\n").map((s) => s.trim()).filter(Boolean),
    };
    try {
      const result =
        props.edit === null
          ? (await request(CreatePracticeDocument, { input }, { token: props.token, mutation: true })).createPractice
          : (await request(UpdatePracticeDocument, { id: props.edit, input }, { token: props.token, mutation: true })).updatePractice;
      if (result.__typename === "PracticeCreated" || result.__typename === "PracticeUpdated") {
        forget(); // lists and related practices change with this write
        navigate(`/practice/${slug(result.id)}`);
        return;
      }
      const found: Errors = {};
      const add = (path: readonly string[], problem: Problem) => {
        const field = (path[0] === "input" ? path[1] : undefined) as Field | undefined;
        const key = field && (FIELDS as readonly string[]).includes(field) ? field : "form";
        (found[key] ??= []).push(problem);
      };
      if (result.__typename === "InvalidInput" && result.errors.length) result.errors.forEach((e) => add(e.path, e));
      else add(result.path, { code: null, message: result.message });
      setErrors(found);
      requestAnimationFrame(() => document.getElementById("form-errors")?.focus());
    } catch (error) {
      setErrors({ form: [{ code: null, message: (error as Error).message }] });
    } finally {
      setBusy(false);
    }
  };
  const described = (field: Field, hint?: string) => [hint, errors[field] ? `err-${field}` : undefined].filter(Boolean).join(" ") || undefined;
  // one problem is told once, even when two checks found it
  const said = (field: Field) => [...new Set(errors[field]?.map((p) => plain(t, field, p)))];
  const fieldErrors = (field: Field) =>
    errors[field] ? (
      <p id={`err-${field}`} class="error">
        {said(field).join(" ")}
      </p>
    ) : null;
  const summary = [
    ...(errors.form ?? []).map((p) => ({ field: null, text: p.message })),
    ...FIELDS.flatMap((field) => said(field).map((text) => ({ field, text }))),
  ];
  const count = summary.length;
  const labelOf: Record<Field, string> = {
    title: t("fieldTitle"),
    abstract: t("fieldAbstract"),
    themes: t("fieldThemes"),
    targetGroups: t("fieldTargetGroups"),
    country: t("fieldCountry"),
    date: t("fieldDate"),
    sources: t("fieldSources"),
  };
  return (
    <form class="practice-form" onSubmit={submit} noValidate>
      <h2>{props.edit === null ? t("newPractice") : t("editPractice")}</h2>
      {count > 0 && (
        <div id="form-errors" class="error-summary" role="alert" tabIndex={-1}>
          <p>{t("formErrors", { n: count })}</p>
          <ul>
            {summary.map(({ field, text }) => (
              <li key={`${field}:${text}`}>{field === null ? text : <a href={`#field-${field}`}>{`${labelOf[field]}: ${text}`}</a>}</li>
            ))}
          </ul>
        </div>
      )}
      <div class="field">
        <label for="field-title">{t("fieldTitle")}</label>
        <input id="field-title" value={state.title} onInput={(e) => set("title", (e.target as HTMLInputElement).value)} aria-invalid={!!errors.title} aria-describedby={described("title")} />
        {fieldErrors("title")}
      </div>
      <div class="field">
        <label for="field-abstract">{t("fieldAbstract")}</label>
        <textarea id="field-abstract" rows={4} value={state.abstract} onInput={(e) => set("abstract", (e.target as HTMLTextAreaElement).value)} aria-invalid={!!errors.abstract} aria-describedby={described("abstract")} />
        {fieldErrors("abstract")}
      </div>
      <fieldset class="field choices" id="field-themes" tabIndex={-1} aria-invalid={!!errors.themes} aria-describedby={described("themes")}>
        <legend>{t("fieldThemes")}</legend>
        {fieldErrors("themes")}
        <ul>
          {props.viewer.themes.nodes.map((theme) => (
            <li key={theme.iri}>
              <input id={`theme-${slug(theme.iri)}`} type="checkbox" checked={state.themes.includes(theme.iri)} onChange={() => toggle("themes", theme.iri)} />
              <label for={`theme-${slug(theme.iri)}`}>
                {theme.notation && <span class="meta">{theme.notation} </span>}
                {theme.label}
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <fieldset class="field choices" id="field-targetGroups" tabIndex={-1} aria-invalid={!!errors.targetGroups} aria-describedby={described("targetGroups")}>
        <legend>{t("fieldTargetGroups")}</legend>
        {fieldErrors("targetGroups")}
        <ul>
          {props.viewer.targetGroups.nodes.map((g) => (
            <li key={g.iri}>
              <input id={`tg-${slug(g.iri)}`} type="checkbox" checked={state.targetGroups.includes(g.iri)} onChange={() => toggle("targetGroups", g.iri)} />
              <label for={`tg-${slug(g.iri)}`}>{g.label}</label>
            </li>
          ))}
        </ul>
      </fieldset>
      <div class="field">
        <label for="field-country">{t("fieldCountry")}</label>
        <select id="field-country" value={state.country} onChange={(e) => set("country", (e.target as HTMLSelectElement).value)} aria-invalid={!!errors.country} aria-describedby={described("country")}>
          <option value="">{t("chooseCountry")}</option>
          {[...props.viewer.countries.nodes, ...props.viewer.moreCountries.nodes].sort((a, b) => a.label.localeCompare(b.label)).map((c) => (
            <option key={c.iri} value={c.iri}>
              {c.label}
            </option>
          ))}
        </select>
        {fieldErrors("country")}
      </div>
      <div class="field">
        <label for="field-date">{t("fieldDate")}</label>
        <input id="field-date" value={state.date} onInput={(e) => set("date", (e.target as HTMLInputElement).value)} aria-invalid={!!errors.date} aria-describedby={described("date")} />
        {fieldErrors("date")}
      </div>
      <div class="field">
        <label for="field-sources">{t("fieldSources")}</label>
        <textarea id="field-sources" rows={3} value={state.sources} onInput={(e) => set("sources", (e.target as HTMLTextAreaElement).value)} aria-invalid={!!errors.sources} aria-describedby={described("sources")} />
        {fieldErrors("sources")}
      </div>
      <div class="actions">
        <button type="submit" disabled={busy}>
          {t("save")}
        </button>{" "}
        {props.edit !== null && <Link href="/my">{t("cancel")}</Link>}
      </div>
    </form>
  );
}

function Signed(props: { token: string; viewer: ViewerQuery; params: URLSearchParams; signOut: () => void }) {
  const { t, lang } = useI18n();
  const pes = props.viewer.viewer?.pes ?? null;
  const mine = useQuery(MyPracticesDocument, { pes: pes ?? "", lang }, { skip: pes === null, token: props.token });
  const viewer = props.viewer.viewer!;
  return (
    <>
      <p>
        {t("signedInAs", { name: viewer.name, role: viewer.role })}{" "}
        <button type="button" class="link" onClick={props.signOut}>
          {t("signOut")}
        </button>
      </p>
      {pes === null ? (
        <p>{t("adminNoPes")}</p>
      ) : (
        <div class="columns mine">
          <PracticeForm token={props.token} viewer={props.viewer} edit={props.params.get("edit")} pesCountry={mine.data?.pes?.country?.iri ?? null} />
          <section aria-labelledby="mine-list">
            {mine.error && <Failure error={mine.error} retry={mine.reload} />}
            {mine.data?.pes && (
              <>
                <h2 id="mine-list">{t("myPractices", { pes: mine.data.pes.label })}</h2>
                <ul class="cards plain">
                  {mine.data.pes.practices.nodes.map((p) => (
                    <li key={p.iri}>
                      <PracticeCard practice={p} />
                      <Link href={`/my?edit=${slug(p.iri)}`}>
                        {t("edit")}
                        <span class="sr-only">: {p.title}</span>
                      </Link>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>
        </div>
      )}
    </>
  );
}

export function Mine(props: { params: URLSearchParams }) {
  const { t, lang } = useI18n();
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(TOKEN_KEY));
  const viewer = useQuery(ViewerDocument, { lang }, { skip: token === null, token });
  const invalid = token !== null && viewer.data !== null && viewer.data.viewer === null;
  useEffect(() => {
    if (invalid) sessionStorage.removeItem(TOKEN_KEY);
  }, [invalid]);
  const signIn = (value: string) => {
    sessionStorage.setItem(TOKEN_KEY, value);
    setToken(value);
  };
  const signOut = () => {
    sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
    navigate("/my");
  };
  return (
    <div class="mine-view">
      <Title text={t("navMine")} />
      {(token === null || invalid) && <SignIn onToken={signIn} invalid={invalid} />}
      {token !== null && viewer.error && <Failure error={viewer.error} retry={viewer.reload} />}
      {token !== null && !viewer.data && !viewer.error && <Loading />}
      {token !== null && viewer.data?.viewer && <Signed token={token} viewer={viewer.data} params={props.params} signOut={signOut} />}
    </div>
  );
}
