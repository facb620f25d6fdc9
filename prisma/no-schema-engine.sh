#!/bin/sh
echo "schema-engine is not available on this machine: use npm run db:migrate (WebAssembly engine)" >&2
exit 1
