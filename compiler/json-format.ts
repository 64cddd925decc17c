// The version of every JSON document fabric prints (`--json` on any command, and each event of
// `fabric apply --json`): scripts check `format` and can rely on the shape until it changes.
// Raise it only when a field is removed or changes meaning; adding a field keeps it.
export const JSON_FORMAT = 1;
