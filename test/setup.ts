/**
 * Property tests run the same cases on every run and machine: a failure in CI is one a developer
 * can reproduce. FC_SEED=<n> (or FC_SEED=random) explores other cases locally.
 */
import fc from 'fast-check';

const given = process.env.FC_SEED;
if (given !== 'random') fc.configureGlobal({ seed: given ? Number(given) : 20261201 });
