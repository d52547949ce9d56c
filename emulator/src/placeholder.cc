// Replaced by the emulator implementation.
namespace emulator { int placeholder = 0; }
