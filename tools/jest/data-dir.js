// Specs that need the real ModelNet10 read it where users' runs do: ENGRAM_DATA_DIR (see
// libs/datasets). When it is unset and the development copy of the datasets sits beside the
// checkout (`../datasets` of a `shared` folder next to the repository), the specs use that copy;
// on a clean clone they skip.
const fs = require('node:fs');
const path = require('node:path');

const developmentCopy = path.resolve(__dirname, '..', '..', '..', 'shared', 'datasets');
if (!process.env.ENGRAM_DATA_DIR && fs.existsSync(path.join(developmentCopy, 'modelnet10'))) {
  process.env.ENGRAM_DATA_DIR = developmentCopy;
}
