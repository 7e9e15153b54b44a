import { ConfigError, type ConfigProblem } from '../config-error';

/** The ConfigError `load` throws; fails the test when it throws nothing or something else. */
export function configErrorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

export const problemsOf = (load: () => unknown): readonly ConfigProblem[] => configErrorOf(load).problems;
