// ES modules with no URL outside this server; assets inlined. The map block stays its own
// chunk: inlining Web Forms' dynamic import makes a circular module that fails to start.
export default {
  build: {
    outDir: process.env.SYRMAK_WEBFORMS_OUT,
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 100000000,
    cssCodeSplit: false,
    rollupOptions: {
      input: "entry.js",
      output: { entryFileNames: "odk-webforms.js", chunkFileNames: "odk-webforms-[name].js",
                format: "es" },
    },
  },
};
