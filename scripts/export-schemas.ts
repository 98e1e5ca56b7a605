/**
 * Writes the JSON Schema of every knowledge record kind and version, of the
 * model weights manifest and of the epoch manifest, to schemas/*.json (committed, for the dApp and outside
 * readers). Run: npx tsx scripts/export-schemas.ts [--check]
 * With --check it writes nothing and exits 1 if a committed file is out of date.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { epochManifestJsonSchema } from "../coordinator/knowledge/schemas/epochManifest.ts";
import { knowledgeJsonSchemas } from "../coordinator/knowledge/schemas/index.ts";
import { modelManifestV1Schema } from "../coordinator/knowledge/schemas/modelManifest.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outDir = path.join(root, "schemas");
const check = process.argv.includes("--check");

const schemas: Record<string, Record<string, unknown>> = {
  ...knowledgeJsonSchemas(),
  "modelManifest.v1": {
    $id: "https://synod.local/schemas/modelManifest.v1.json",
    title: "Synod model weights manifest, format version 1",
    description: "Describes a little-endian Float32 weights file. Layer contiguity and sizes are checked by the coordinator.",
    ...(z.toJSONSchema(modelManifestV1Schema, { target: "draft-2020-12", io: "output" }) as Record<string, unknown>),
  },
  "epochManifest.v1": epochManifestJsonSchema(),
};

await mkdir(outDir, { recursive: true });
let stale = 0;
for (const [id, schema] of Object.entries(schemas)) {
  const file = path.join(outDir, `${id}.json`);
  const text = `${JSON.stringify(schema, null, 2)}\n`;
  if (check) {
    const current = await readFile(file, "utf8").catch(() => "");
    if (current !== text) {
      stale++;
      console.error(`out of date: schemas/${id}.json`);
    }
  } else {
    await writeFile(file, text);
    console.log(`wrote schemas/${id}.json`);
  }
}
if (stale > 0) process.exit(1);
