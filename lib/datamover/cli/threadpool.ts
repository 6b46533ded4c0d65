// Imported first by the CLI: libuv reads this once, when its thread pool starts. File restores and many
// small files are bound by filesystem calls, which the default four threads serialise.
process.env.UV_THREADPOOL_SIZE ??= '16';
export {};
