import type { Rule } from 'eslint';

/** The project's own lint rules (layering.js); typed for the tests that drive them. */
export declare const layering: { rules: { 'imports-go-down': Rule.RuleModule } };
