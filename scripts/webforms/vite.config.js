// One self-contained ES module with no URL outside this server; assets inlined.
export default {
  build: {
    outDir: process.env.SYRMAK_WEBFORMS_OUT,
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 100000000,
    cssCodeSplit: false,
    rollupOptions: {
      input: "entry.js",
      output: { entryFileNames: "odk-webforms.js", inlineDynamicImports: true, format: "es" },
    },
  },
};
