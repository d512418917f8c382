// The environment tests/run.sh hands the end-to-end tests, checked once.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set; run the end-to-end tests through tests/run.sh`);
  }
  return value;
}

export const repo = process.env.LANTIAN_REPO || path.resolve(here, '../../..');
export const specPath = path.join(repo, 'proto', 'openapi.yaml');

export const env = {
  get bin() { return required('LANTIAN_BIN'); },
  get databaseUrl() { return required('LANTIAN_TEST_DATABASE_URL'); },
  get adminUrl() { return required('LANTIAN_TEST_ADMIN_URL'); },
  get pgStop() { return required('LANTIAN_TEST_PG_STOP'); },
  get pgStart() { return required('LANTIAN_TEST_PG_START'); },
  get pgFreeze() { return required('LANTIAN_TEST_PG_FREEZE'); },
  get pgThaw() { return required('LANTIAN_TEST_PG_THAW'); },
};
