// The parallel tasks: an id per kernel that runs on several threads, their shared arguments,
// and the one switch every thread enters a task through (parallel.ts's run and worker_loop).

import { lstmForward, lstmBackward } from './lstm';
import { gruForward, gruBackward } from './gru';
import { rnnForward, rnnBackward } from './rnn';
import { linearForward, linearBackward } from './linear';

export const TASK_LSTM_FWD: i32 = 1;
export const TASK_LSTM_BWD: i32 = 2;
export const TASK_GRU_FWD: i32 = 3;
export const TASK_GRU_BWD: i32 = 4;
export const TASK_RNN_FWD: i32 = 5;
export const TASK_RNN_BWD: i32 = 6;
export const TASK_LINEAR_FWD: i32 = 7;
export const TASK_LINEAR_BWD: i32 = 8;

export function runTask(task: i32, tid: i32, n: i32): void {
  switch (task) {
    case TASK_LSTM_FWD: lstmForward(tid, n); break;
    case TASK_LSTM_BWD: lstmBackward(tid, n); break;
    case TASK_GRU_FWD: gruForward(tid, n); break;
    case TASK_GRU_BWD: gruBackward(tid, n); break;
    case TASK_RNN_FWD: rnnForward(tid, n); break;
    case TASK_RNN_BWD: rnnBackward(tid, n); break;
    case TASK_LINEAR_FWD: linearForward(tid, n); break;
    case TASK_LINEAR_BWD: linearBackward(tid, n); break;
    default: unreachable();
  }
}
