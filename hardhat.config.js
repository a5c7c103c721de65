// Hardhat 2 configuration for SwarmFL's contracts.
//
// The compiler comes from the `solc` npm package (solc-js, pinned in package.json) instead of Hardhat's
// default download from binaries.soliditylang.org: builds and tests must work without internet access.
const { subtask } = require("hardhat/config");
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require("hardhat/builtin-tasks/task-names");
require("@nomicfoundation/hardhat-ethers");

const SOLC_VERSION = "0.8.28";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args, hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) {
    // Only the bundled compiler is available offline; fail loudly rather than trying a download.
    throw new Error(
      `hardhat.config.js: contracts ask for solc ${args.solcVersion}, but only the bundled solc-js ${SOLC_VERSION} is available offline`,
    );
  }
  const solc = require("solc");
  const bundled = require("solc/package.json").version;
  if (bundled !== SOLC_VERSION) {
    throw new Error(`hardhat.config.js: node_modules/solc is ${bundled}, expected ${SOLC_VERSION} (run npm ci)`);
  }
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: bundled,
    longVersion: solc.version(),
  };
});

/** @type import('hardhat/config').HardhatUserConfig */
module.exports = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: true, runs: 100 }, viaIR: true,
      // paris: no PUSH0/MCOPY, so the bytecode also runs on chains that lag behind the newest hardforks
      evmVersion: "paris",
    },
  },
  networks: {
    // tests/contracts/gas-scale.js measures transactions above Osaka's 2^24 per-transaction cap (EIP-7825), so it runs
    // on the hardfork before it with a lifted block limit; everything else runs on Hardhat's default hardfork.
    hardhat: process.env.SWARMFL_GAS_SCALE ? { chainId: 31337, hardfork: "prague", blockGasLimit: 1_000_000_000 } : { chainId: 31337 },
  },
  paths: {
    sources: "./contracts",
    tests: "./tests/contracts",
    cache: "./cache",
    artifacts: "./artifacts",
  },
  mocha: {
    timeout: 120000,
  },
};
