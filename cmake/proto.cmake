# Protobuf-c code for proto/*.proto (library ckms_proto), the gRPC layer
# src/rpc/ (library ckms_rpc), and the test-only tests/proto/*.proto
# (library ckms_test_proto, built only when a test links it).
#
# protoc-c 1.4.1 rejects proto3 `optional`, so each .proto is first copied
# into the build tree with every `optional T f = N;` turned into the
# equivalent `oneof _f { T f = N; }` (same wire bytes; in C presence is
# m->_f_case). The files in proto/ keep `optional` for other readers
# (grpc-js / proto-loader read them natively).
#
# This file is also the rewrite script: cmake -DIN=a.proto -DOUT=b.proto -P proto.cmake

if(CMAKE_SCRIPT_MODE_FILE)
  file(READ ${IN} text)
  # Only field declarations match: `optional`, a type, a name, `= N`, optional
  # [options], `;` -- comments never have that shape in our files.
  string(REGEX REPLACE
    "optional[ \t]+([A-Za-z0-9_.]+)[ \t]+([A-Za-z0-9_]+)[ \t]*=[ \t]*([0-9]+)([^;\n]*);"
    "oneof _\\2 { \\1 \\2 = \\3\\4; }" text "${text}")
  if(text MATCHES "\n[ \t]*optional[ \t]")
    message(FATAL_ERROR "${IN}: an `optional` field the rewrite does not understand")
  endif()
  # Rewrite only on change so that protoc-c does not rerun needlessly.
  if(EXISTS ${OUT})
    file(READ ${OUT} old)
    if(old STREQUAL text)
      return()
    endif()
  endif()
  file(WRITE ${OUT} "${text}")
  return()
endif()

find_program(CKMS_PROTOC_C protoc-c REQUIRED)
pkg_check_modules(GRPC REQUIRED IMPORTED_TARGET grpc)
pkg_check_modules(PROTOBUFC REQUIRED IMPORTED_TARGET libprotobuf-c)
set(CKMS_PROTO_SCRIPT ${CMAKE_CURRENT_LIST_FILE})

# ckms_protoc_c(<out-var> <gen-dir> <proto>...): rewrites and compiles one
# group of .proto files that may import each other (imports are resolved in
# the group's gen dir, then in /usr/include for google/protobuf/*.proto).
# Sets <out-var> to the generated .c files.
function(ckms_protoc_c out gen_dir)
  file(MAKE_DIRECTORY ${gen_dir})
  set(copies "")
  foreach(proto ${ARGN})
    get_filename_component(name ${proto} NAME)
    add_custom_command(OUTPUT ${gen_dir}/${name}
      COMMAND ${CMAKE_COMMAND} -DIN=${proto} -DOUT=${gen_dir}/${name} -P ${CKMS_PROTO_SCRIPT}
      DEPENDS ${proto} ${CKMS_PROTO_SCRIPT}
      COMMENT "Rewriting proto3 optional fields in ${name}" VERBATIM)
    list(APPEND copies ${gen_dir}/${name})
  endforeach()
  set(srcs "")
  foreach(copy ${copies})
    get_filename_component(name ${copy} NAME)
    string(REGEX REPLACE "\\.proto$" "" base ${name})
    add_custom_command(OUTPUT ${gen_dir}/${base}.pb-c.c ${gen_dir}/${base}.pb-c.h
      COMMAND ${CKMS_PROTOC_C} --c_out=${gen_dir} -I${gen_dir} -I/usr/include ${copy}
      DEPENDS ${copies}
      WORKING_DIRECTORY ${gen_dir}
      COMMENT "protoc-c ${name}" VERBATIM)
    list(APPEND srcs ${gen_dir}/${base}.pb-c.c)
  endforeach()
  set(${out} ${srcs} PARENT_SCOPE)
endfunction()

# Consumers include "proto/kms.v1.pb-c.h" and friends.
file(GLOB CKMS_PROTOS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/proto/*.proto)
ckms_protoc_c(CKMS_PROTO_SRCS ${CMAKE_BINARY_DIR}/gen/proto ${CKMS_PROTOS})
add_library(ckms_proto STATIC ${CKMS_PROTO_SRCS})
target_include_directories(ckms_proto PUBLIC ${CMAKE_BINARY_DIR}/gen)
target_link_libraries(ckms_proto PUBLIC PkgConfig::PROTOBUFC)
# protoc-c's FOO__INIT macros for messages with a oneof (our rewritten
# optionals) initialise the union without inner braces; that is valid C,
# but -Wall's -Wmissing-braces would reject every use of those macros.
target_compile_options(ckms_proto PUBLIC -Wno-missing-braces)

# CKMS_ALL_LIBS (set by ckms_layer() in this same scope) lists the layers
# top-down for the static link: ... ckms_rpc ckms_proto ckms_ops ...
list(PREPEND CKMS_ALL_LIBS ckms_proto)
file(GLOB CKMS_RPC_SRCS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/rpc/*.c)
if(CKMS_RPC_SRCS)
  add_library(ckms_rpc STATIC ${CKMS_RPC_SRCS})
  target_link_libraries(ckms_rpc PUBLIC ckms_proto ckms_base PkgConfig::GRPC PkgConfig::PROTOBUFC
                        Threads::Threads)
  list(PREPEND CKMS_ALL_LIBS ckms_rpc)
endif()

# Test-only messages and services (tests/proto/), e.g. the toy service of
# tests/unit/rpc and tests/rpc/ckms_test_server.c.
file(GLOB CKMS_TEST_PROTOS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/proto/*.proto)
if(CKMS_TEST_PROTOS)
  ckms_protoc_c(CKMS_TEST_PROTO_SRCS ${CMAKE_BINARY_DIR}/gen/testproto ${CKMS_TEST_PROTOS})
  add_library(ckms_test_proto STATIC EXCLUDE_FROM_ALL ${CKMS_TEST_PROTO_SRCS})
  target_include_directories(ckms_test_proto PUBLIC ${CMAKE_BINARY_DIR}/gen)
  target_link_libraries(ckms_test_proto PUBLIC ckms_proto)
endif()
