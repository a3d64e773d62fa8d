/* Test vectors copied from docs/protocol/sls-loggroup.md §Test vectors (PB1, PB2) and
 * §Compression test vectors (PB2 compressed). */
#ifndef SF_TEST_CODEC_VECTORS_H
#define SF_TEST_CODEC_VECTORS_H

/* 84 bytes: one LogGroup, Topic "nginx", Source "10.0.0.1", tag __hostname__=web-1, one Log with
 * Time 1749542400, Time_ns 123456789, contents level=INFO, msg=hello. */
#define PB1_HEX                                                                                    \
    "0a520a280880cc9fc206120d0a056c6576656c1204494e464f120c0a036d7367120568656c6c6f2515cd5b071a05" \
    "6e67696e78220831302e302e302e3132150a0c5f5f686f73746e616d655f5f12057765622d31"

/* 366 bytes: 4 Logs, Time 1749542401..4, level=INFO, msg=GET /index.html 200, client=10.0.0.<i>;
 * Topic "nginx"; Source "10.0.0.1"; tags __hostname__=web-1, __path__=/var/log/nginx/access.log. */
#define PB2_HEX                                                                                    \
    "0aeb020a450881cc9fc206120d0a056c6576656c1204494e464f121a0a036d73671213474554202f696e6465782e" \
    "68746d6c2032303012120a06636c69656e74120831302e302e302e310a450882cc9fc206120d0a056c6576656c12" \
    "04494e464f121a0a036d73671213474554202f696e6465782e68746d6c2032303012120a06636c69656e74120831" \
    "302e302e302e320a450883cc9fc206120d0a056c6576656c1204494e464f121a0a036d73671213474554202f696e" \
    "6465782e68746d6c2032303012120a06636c69656e74120831302e302e302e330a450884cc9fc206120d0a056c65" \
    "76656c1204494e464f121a0a036d73671213474554202f696e6465782e68746d6c2032303012120a06636c69656e" \
    "74120831302e302e302e341a056e67696e78220831302e302e302e3132150a0c5f5f686f73746e616d655f5f1205" \
    "7765622d3132250a085f5f706174685f5f12192f7661722f6c6f672f6e67696e782f6163636573732e6c6f67"

/* PB2 as a raw LZ4 block (175 bytes). */
#define PB2_LZ4_HEX                                                                                \
    "ff3f0aeb020a450881cc9fc206120d0a056c6576656c1204494e464f121a0a036d73671213474554202f696e6465" \
    "782e68746d6c2032303012120a06636c69656e74120831302e302e302e310a45088247002f5f320a45088347002f" \
    "5f330a45088447002f95341a056e67696e7822e600f11f32150a0c5f5f686f73746e616d655f5f12057765622d31" \
    "32250a085f5f706174685f5f12192f7661722f6c6f672f3d00b02f6163636573732e6c6f67"

/* Hand-made LZ4 block with a match: "abcd", then a 16-byte match at offset 4, then "XYZ12". */
#define LZ4_MATCH_HEX      "48616263640400505859 5a3132"
#define LZ4_MATCH_EXPECTED "abcdabcdabcdabcdXYZ12"

/* PB2 as a zlib stream (167 bytes). */
#define PB2_ZLIB_HEX                                                                               \
    "789ce37acdc4e5cad17866fe2136215e2ed69cd4b2d41c21164f3f377f21292ee6dce274216177d71005fdccbc94" \
    "d40abd8c92dc1c0523030321212eb6e49cccd4bc12210e43033d1034041ad344b9314640639a2937c618684c0be5" \
    "c69848b1e6a567e65528c17d6924cac5131f9f915f5c9297989b1a1f2fc45a9e9aa46b68a4cac5111f5f90589201" \
    "1492d42f4b2cd2cfc94fd7076bd64f4c4e4e2d2ed6030a0000d6336256"

/* PB2 as a zstd frame (176 bytes, level 19, with XXH64 checksum). */
#define PB2_ZSTD_HEX                                                                               \
    "28b52ffd646e001505000209221e907dfff754ffd71d0128b698aeb18576657a2a4da43b57bce67d283de03c225a" \
    "42ebfa41d08b22112d23d56b23a57b3fb25eea7dc11d6a7abeef0eddfb6f7a27bba2a3f7064fa8e63d49f11c166b" \
    "ae642a2e2e3e41d25474f6fc640912bc7749a298d26447e8fde149464c776548175733e04be7b04d137af9db5f0e" \
    "fce8444ddb707171e0e6010800064294b429e4812400b803890120ae04d122cb9d01273c29af"

#endif
