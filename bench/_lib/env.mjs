// Knobs read from the environment by every bench.

/** A number from the environment, or `dflt` when the variable is unset or empty. */
export const num = (name, dflt) => (process.env[name] ? Number(process.env[name]) : dflt);
