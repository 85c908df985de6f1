export declare function esmGet(url: string): Promise<number>;
