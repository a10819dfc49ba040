#ifndef ILONET_FUZZ_DRIVER_H
#define ILONET_FUZZ_DRIVER_H

/// Runs libFuzzer on this executable's LLVMFuzzerTestOneInput. SwiftPM links an
/// executable target's entry point as `<Target>_main`; each harness defines that
/// name and calls this, so libFuzzer's own driver does the work.
int ilonet_fuzz_main(int argc, char **argv);

#endif
