package io.electionbench.core.log;

class MemoryTxnLogTest extends TxnLogContractTest {
    @Override
    TxnLog newLog() {
        return new MemoryTxnLog(4, 16);
    }
}
