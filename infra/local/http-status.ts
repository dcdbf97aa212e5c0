/** ClickHouse's mapping of exception codes to HTTP statuses (src/Server/HTTP/exceptionCodeToHTTPStatus.cpp). */
const STATUS_BY_CODE = new Map<number, number>();
const assign = (status: number, codes: number[]) => codes.forEach((code) => STATUS_BY_CODE.set(code, status));

// REQUIRED_PASSWORD
assign(401, [194]);
// UNKNOWN_USER, WRONG_PASSWORD, AUTHENTICATION_FAILED, SET_NON_GRANTED_ROLE, ACCESS_DENIED
assign(403, [192, 193, 516, 512, 497]);
// BAD_ARGUMENTS, parse errors, AST errors, SYNTAX_ERROR, INCORRECT_DATA, TYPE_MISMATCH, VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
assign(400, [36, 427, 6, 25, 26, 38, 41, 72, 27, 376, 15, 44, 16, 62, 117, 53, 321]);
// UNKNOWN_TABLE, _FUNCTION, _IDENTIFIER, _TYPE, _STORAGE, _DATABASE, _SETTING, _AGGREGATE_FUNCTION, _FORMAT
assign(404, [60, 46, 47, 50, 56, 81, 115, 63, 73]);
assign(413, [5]); // QUERY_IS_TOO_LARGE
assign(501, [48]); // NOT_IMPLEMENTED
assign(503, [209, 76, 439]); // SOCKET_TIMEOUT, CANNOT_OPEN_FILE, CANNOT_SCHEDULE_TASK
assign(408, [159]); // TIMEOUT_EXCEEDED

export const httpStatusForCode = (code: number): number => STATUS_BY_CODE.get(code) ?? 500;
