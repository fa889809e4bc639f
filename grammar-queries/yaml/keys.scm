; Mapping keys, for hovers that explain what a key means.
; @key.name is the key's scalar; @key.pair the whole `key: value` pair.

(block_mapping_pair
  key: (flow_node
    (plain_scalar) @key.name)) @key.pair

(flow_pair
  key: (flow_node
    (plain_scalar) @key.name)) @key.pair
