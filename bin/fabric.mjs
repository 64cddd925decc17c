#!/usr/bin/env node
// The entry's earlier name, kept for scripts that call it: the same CLI as
// bin/fabric.cjs, which starts ~9 ms sooner (docs/performance.md).
import './fabric.cjs';
