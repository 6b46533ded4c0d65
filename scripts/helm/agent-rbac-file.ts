import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { AGENT_RULES } from '../../services/api/resources/clusters/agent-rbac.js';
import { repoRoot } from '../stack/paths.js';

/**
 * The agent chart's RBAC rules are generated from agent-rbac.ts, the rules registration's install manifest
 * renders, so the two cannot drift: edit agent-rbac.ts, then run `npm run helm:rbac`.
 * test/helm/agent-rbac-source.test.ts fails when the committed file is not what this produces.
 */
export const AGENT_RBAC_FILE = join(repoRoot, 'deploy', 'helm', 'haven-agent', 'files', 'rbac-rules.yaml');

const HEADER = [
  '# Generated from services/api/resources/clusters/agent-rbac.ts by `npm run helm:rbac`: do not edit.',
  '# The rules and the reason for each are there; registration\'s install manifest renders the same ones.',
].join('\n');

export function agentRbacFileContent(): string {
  return `${HEADER}\n${stringify(AGENT_RULES, { aliasDuplicateObjects: false })}`;
}

export function committedAgentRbacFile(): string {
  return readFileSync(AGENT_RBAC_FILE, 'utf8');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(AGENT_RBAC_FILE, agentRbacFileContent());
  console.log(`wrote ${AGENT_RBAC_FILE}`);
}
