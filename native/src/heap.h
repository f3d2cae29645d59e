// Tunes the C heap that backs every typed array (tensor storage) of the process.
#pragma once

namespace ty {

// Keeps large freed blocks in the heap for reuse instead of unmapping them (see heap.cc).
void keep_large_blocks_in_heap();

}  // namespace ty
