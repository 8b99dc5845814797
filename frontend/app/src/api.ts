// The app's only way to the service: GraphQL over HTTP at /graphql, as automatic persisted
// queries. A query is first sent as its SHA-256 alone, by GET (cacheable, short); when the
// server does not know it yet (PersistedQueryNotFound) the text is sent with the hash once.
// The texts live in a separate chunk, loaded only on that first miss.
import type { TypedDocumentString } from "./gql/graphql";

export const ENDPOINT = "/graphql";
// application/json: a request the service answers with errors (a persisted query it does not
// know yet) still has status 200, so the browser logs no failed request.
const ACCEPT = "application/json";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | null = null,
    readonly status = 0,
  ) {
    super(message);
  }
}

interface Response<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

type Doc<T, V> = TypedDocumentString<T, V> & { __meta__?: { hash?: string } };

let texts: Promise<Record<string, string>> | null = null;
function documentText(hash: string): Promise<string> {
  texts ??= import("./gql/persisted-documents.json").then((m) => m.default as Record<string, string>);
  return texts.then((all) => {
    const text = all[hash];
    if (text === undefined) throw new ApiError(`Unknown operation ${hash}`);
    return text;
  });
}

function operationName(doc: unknown): string | undefined {
  return /(?:query|mutation)\s+(\w+)/.exec(String(doc))?.[1];
}

async function send<T>(
  method: "GET" | "POST",
  payload: Record<string, unknown>,
  token: string | null,
): Promise<Response<T>> {
  const headers: Record<string, string> = { Accept: ACCEPT };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: globalThis.Response;
  if (method === "GET") {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(payload)) {
      if (value !== undefined) params.set(key, typeof value === "string" ? value : JSON.stringify(value));
    }
    response = await fetch(`${ENDPOINT}?${params}`, { headers });
  } else {
    headers["Content-Type"] = "application/json";
    response = await fetch(ENDPOINT, { method: "POST", headers, body: JSON.stringify(payload) });
  }
  const type = response.headers.get("content-type") ?? "";
  if (!type.includes("json")) {
    throw new ApiError(`The service answered ${response.status}`, null, response.status);
  }
  return (await response.json()) as Response<T>;
}

/** Run a generated operation; mutations and requests with a token go by POST. */
export async function request<T, V>(
  doc: Doc<T, V>,
  variables: V,
  options: { token?: string | null; mutation?: boolean } = {},
): Promise<T> {
  const full = doc.__meta__?.hash ?? "";
  const hash = full.replace(/^sha256:/, "");
  const token = options.token ?? null;
  const method = options.mutation || token ? "POST" : "GET";
  const base = {
    operationName: operationName(doc),
    variables: variables ?? undefined,
    extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
  };
  let result = await send<T>(method, base, token);
  const code = result.errors?.[0]?.extensions?.code;
  if (code === "PERSISTED_QUERY_NOT_FOUND" || result.errors?.[0]?.message === "PersistedQueryNotFound") {
    // registering sends the text: by POST, which fits texts of any length
    result = await send<T>("POST", { ...base, query: await documentText(full) }, token);
  }
  if (result.errors?.length) {
    const first = result.errors[0];
    throw new ApiError(first.message, first.extensions?.code ?? null);
  }
  if (!result.data) throw new ApiError("The service sent no data");
  return result.data;
}

/** The Relay cursor of the item at ``offset`` (the service's cursors count from 0). */
export function cursorAt(offset: number): string | undefined {
  return offset > 0 ? btoa(`cursor:${offset - 1}`) : undefined;
}
