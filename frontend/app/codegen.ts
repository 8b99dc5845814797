// Typed operations from the service's schema (schema.graphql at the repository root).
// documentMode "string": each operation is its text, so sending it needs no GraphQL parser in
// the bundle; persistedDocuments embeds the SHA-256 of that text for automatic persisted queries.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: ["src/operations/*.graphql"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: { hashAlgorithm: "sha256", mode: "embedHashInDocument" },
      },
      config: {
        documentMode: "string",
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: false,
        scalars: { Date: "string", DateTime: "string" },
      },
    },
  },
};

export default config;
