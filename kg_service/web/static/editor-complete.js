// Completion from our own data (filled in by a later step).
export function installCompletion() {}
