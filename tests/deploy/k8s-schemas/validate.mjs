// Validates every object of a multi-document YAML stream (stdin) against its Kubernetes or
// prometheus-operator schema, from npm's kubernetes-models and @kubernetes-models/prometheus-operator.
// An object of a kind neither package knows is an error, as is any schema violation.
// Prints one line per object; exits 1 on the first error, 2 on bad input.
//   kubectl kustomize DIR | node validate.mjs
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// Where each API group's models live; the core group ("v1") has no group part.
function modulePath(apiVersion, kind) {
  const operator = apiVersion.startsWith("monitoring.coreos.com/");
  const root = operator ? "@kubernetes-models/prometheus-operator" : "kubernetes-models";
  return `${root}/${apiVersion}/${kind}`;
}

const docs = parseAllDocuments(readFileSync(0, "utf8"));
let count = 0;
for (const doc of docs) {
  if (doc.errors.length > 0) {
    console.error(`yaml: ${doc.errors[0].message}`);
    process.exit(2);
  }
  const object = doc.toJS();
  if (object === null) continue;
  const { apiVersion, kind } = object;
  const name = `${kind} ${object.metadata?.name ?? "(no name)"}`;
  let Model;
  try {
    Model = (await import(modulePath(apiVersion, kind)))[kind];
  } catch {
    console.error(`${name}: no schema for ${apiVersion} ${kind}`);
    process.exit(1);
  }
  try {
    new Model(object).validate();
  } catch (error) {
    console.error(`${name}: ${error.message}`);
    process.exit(1);
  }
  console.log(`${name}: valid ${apiVersion}`);
  count++;
}
if (count === 0) {
  console.error("no objects on stdin");
  process.exit(2);
}
console.log(`${count} objects valid`);
