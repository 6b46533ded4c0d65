// @ts-check
import { dirname, relative, resolve } from 'node:path';

/**
 * Imports only go down. Each file belongs to the first layer whose folder holds it; a layer may import
 * its own folder and the layers it names. `types` lists layers it may import types from only (erased
 * at build time: a workflow names its activities' signatures, a process its workflows' inputs). Test,
 * bench and script code is not layered.
 */
const LAYERS = [
  { folder: 'services/api', may: ['lib', 'proto'], types: ['workflows'] },
  // The worker loads workflows as a bundle from their path, never by import.
  { folder: 'services/worker', may: ['activities/control', 'activities/common', 'lib', 'proto'], types: [] },
  { folder: 'services/agent', may: ['activities/cluster', 'activities/common', 'lib', 'proto'], types: [] },
  { folder: 'services/mover', may: ['activities/mover', 'activities/common', 'lib', 'proto'], types: [] },
  { folder: 'services/gateway', may: ['lib', 'proto'], types: [] },
  // The CLI is a client of the API: it knows the API only through its generated client, never its insides.
  { folder: 'services/cli', may: ['lib/client'], types: [] },
  // So is the web console, built for the browser: the generated client and nothing else of the project.
  { folder: 'services/console', may: ['lib/client'], types: [] },
  { folder: 'workflows', may: ['lib/domain', 'lib/common/temporal/names', 'proto'], types: ['activities'] },
  { folder: 'activities/control', may: ['activities/common', 'lib/aws', 'lib/run-start', 'lib/db', 'lib/cluster-access', 'lib/domain', 'lib/datamover', 'lib/common', 'proto'], types: [] },
  { folder: 'activities/cluster', may: ['activities/common', 'lib/cluster-access/gateway-connection', 'lib/domain', 'lib/common', 'lib/kube', 'lib/datamover', 'proto'], types: [] },
  { folder: 'activities/mover', may: ['activities/common', 'lib/common', 'lib/datamover', 'proto'], types: [] },
  { folder: 'activities/common', may: ['lib/common', 'lib/kube', 'lib/datamover', 'proto'], types: [] },
  { folder: 'lib/run-start', may: ['lib/domain', 'lib/db', 'lib/common'], types: [] },
  { folder: 'lib/aws', may: ['lib/domain', 'lib/common'], types: [] },
  { folder: 'lib/db', may: ['lib/domain', 'lib/common'], types: [] },
  { folder: 'lib/cluster-access', may: ['lib/common'], types: [] },
  { folder: 'lib/datamover', may: ['lib/common', 'proto/repository'], types: [] },
  { folder: 'lib/kube', may: [], types: [] },
  { folder: 'lib/client', may: [], types: [] },
  // Pure: workflows import it, so only the Node-free parts of lib/common.
  { folder: 'lib/domain', may: ['lib/common/enums', 'lib/common/label-selector', 'lib/common/temporal/names', 'proto'], types: [] },
  { folder: 'lib/common', may: [], types: [] },
  { folder: 'proto', may: [], types: [] },
];

const ROOT = resolve(import.meta.dirname, '../..');

/** @param {string} path a repository-relative path without extension */
const within = (path, folder) => path === folder || path.startsWith(`${folder}/`);
const layerOf = (path) => LAYERS.find((layer) => within(path, layer.folder));

/**
 * Only `import type` / `export type` declarations are erased: under verbatimModuleSyntax an
 * `import { type X }` still loads its module at run time.
 * @param {any} node
 */
function typeOnly(node) {
  return node.importKind === 'type' || node.exportKind === 'type';
}

/** @type {import('eslint').Rule.RuleModule} */
const importsGoDown = {
  meta: { type: 'problem', schema: [], docs: { description: 'imports only go down the layers of lib/README.md and services/README.md' } },
  create(context) {
    const file = relative(ROOT, context.filename).replace(/\.[cm]?[jt]sx?$/, '');
    const layer = layerOf(file);
    if (!layer) return {};
    /** @param {any} node @param {any} source */
    const check = (node, source) => {
      if (!source) return;
      // A computed module path could name any layer: layered code names its modules literally.
      if (source.type !== 'Literal' && !(source.type === 'TemplateLiteral' && source.expressions.length === 0)) {
        context.report({ node: source, message: `${layer.folder}: import a module by a literal path, so its layer can be checked` });
        return;
      }
      const specifier = source.type === 'Literal' ? source.value : source.quasis[0].value.cooked;
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
      const target = relative(ROOT, resolve(dirname(resolve(ROOT, file)), specifier)).replace(/\.[cm]?[jt]sx?$/, '');
      if (within(target, layer.folder)) return;
      if (layer.may.some((allowed) => within(target, allowed))) return;
      if (typeOnly(node) && layer.types.some((allowed) => within(target, allowed))) return;
      const types = layer.types.length > 0 ? `; types only from ${layer.types.join(', ')}` : '';
      context.report({
        node: source,
        message: `${layer.folder} may import ${layer.may.length > 0 ? layer.may.join(', ') : 'nothing else of the project'}${types}, not ${target}`,
      });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    };
  },
};

export const layering = { rules: { 'imports-go-down': importsGoDown } };
