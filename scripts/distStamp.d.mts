export declare const ROOT: string;
export declare const STAMP: string;
export declare function buildInputsHash(): string;
export declare function stampedHash(): string | undefined;
export declare function writeStamp(hash?: string): void;
