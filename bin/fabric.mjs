#!/usr/bin/env node
// Entry point: the bundled CLI built by `npm install` (scripts/build.mjs).
import { main } from '../dist/fabric.mjs';

process.exitCode = await main(process.argv);
