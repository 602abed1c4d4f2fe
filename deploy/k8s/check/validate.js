// make k8s-check: every object of the given manifest files (YAML 1.1, as
// Kubernetes reads it) checked two ways with the published Kubernetes API
// definitions of the kubernetes-models package:
//   1. its JSON schema validator (types, required fields, enumerations,
//      formats), through the model class of the object's apiVersion and kind;
//   2. the TypeScript compiler against the same package's type declarations,
//      which refuses a field the API does not have (the schemas allow them,
//      as the API server's lenient decoding does: a misspelt probe or
//      resource key would otherwise pass unnoticed).
// Secrets must carry no value. Exits 1 with the file, the object and the
// problem on the first kind of failure found; prints one line per file.
//   node validate.js FILE.yaml...
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const YAML = require("yaml");
const ts = require("typescript");

// apiVersion "apps/v1" -> module "kubernetes-models/apps/v1"; "v1" -> "kubernetes-models/v1".
function modelModule(apiVersion) {
    return "kubernetes-models/" + apiVersion;
}

function loadModel(apiVersion, kind) {
    let mod;
    try {
        mod = require(modelModule(apiVersion));
    } catch (e) {
        return null;
    }
    return mod[kind] || null;
}

const problems = [];
const typed = [];
for (const file of process.argv.slice(2)) {
    const text = fs.readFileSync(file, "utf8");
    const docs = YAML.parseAllDocuments(text, { version: "1.1" });
    let count = 0;
    docs.forEach((doc, i) => {
        const where = `${file}: document ${i + 1}`;
        if (doc.errors.length) {
            problems.push(`${where}: YAML: ${doc.errors[0].message}`);
            return;
        }
        const obj = doc.toJS();
        if (obj === null || obj === undefined)
            return;
        count++;
        const name = `${where} (${obj.kind || "no kind"} ${(obj.metadata || {}).name || "no name"})`;
        const Model = obj.apiVersion && obj.kind ? loadModel(obj.apiVersion, obj.kind) : null;
        if (!Model) {
            problems.push(`${name}: no Kubernetes object ${obj.apiVersion}/${obj.kind}`);
            return;
        }
        try {
            new Model(obj).validate();
        } catch (e) {
            problems.push(`${name}: ${e.message}`);
        }
        if (obj.kind === "Secret") {
            for (const field of ["data", "stringData"])
                for (const [key, value] of Object.entries(obj[field] || {}))
                    if (value !== "")
                        problems.push(`${name}: ${field}.${key} holds a value; commit templates only`);
        }
        typed.push({ name, module: modelModule(obj.apiVersion), kind: obj.kind, obj });
    });
    console.log(`k8s-check: ${file}: ${count} object${count === 1 ? "" : "s"}`);
}

// The TypeScript check: one typed constant per object, compiled without output.
if (typed.length) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kw-k8s-check-"));
    const source = path.join(dir, "manifests.ts");
    const lines = typed.map((t, i) =>
        `import type { I${t.kind} as T${i} } from ${JSON.stringify(t.module)};\n` +
        `export const o${i}: T${i} = ${JSON.stringify(t.obj, null, 1)};\n`);
    fs.writeFileSync(source, lines.join(""));
    const program = ts.createProgram([source], {
        noEmit: true, strict: true, skipLibCheck: true, module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10, target: ts.ScriptTarget.ES2020,
        typeRoots: [], types: [], baseUrl: dir,
        paths: { "*": (process.env.NODE_PATH || "").split(path.delimiter).filter(Boolean).map(p => p + "/*") },
    });
    const starts = [];
    lines.reduce((offset, line, i) => { starts.push(offset); return offset + line.length; }, 0);
    for (const d of ts.getPreEmitDiagnostics(program)) {
        let i = 0;
        while (d.start !== undefined && i + 1 < starts.length && starts[i + 1] <= d.start)
            i++;
        const message = ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n").slice(-1)[0];
        problems.push(`${typed[i] ? typed[i].name : "manifests"}: ${message.trim()}`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
}

for (const p of problems)
    console.error(`k8s-check: ${p}`);
if (problems.length) {
    console.error(`k8s-check: ${problems.length} problem${problems.length === 1 ? "" : "s"}`);
    process.exit(1);
}
console.log(`k8s-check: ${typed.length} objects valid`);
