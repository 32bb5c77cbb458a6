// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmem_hp: transitions run by a worker.
 *
 * offline_pages() gives up at once while any signal is pending in the
 * task that calls it; online_pages() never looks. Run in the writing
 * task, a rollback that has to offline blocks it just onlined would fail
 * whenever that task had been signalled, and bind and unbind would depend
 * on the signals of whoever binds or unbinds. So no transition runs in
 * the task that asks for it:
 *  - the worker is kdev->owner, the one task the memory notifier lets
 *    change the device's blocks;
 *  - the task holding kdev->lock (a hotplug writer, probe, remove) waits
 *    for it, and the worker acts on its behalf under that lock;
 *  - a hotplug write runs in a kernel thread made for it
 *    ("kmem_hp/daxX.Y"). A writer that gets a signal while it waits (any signal, SIGKILL
 *    too) forwards it as an abort: it sets job->abort and sends the
 *    thread KMEM_HP_ABORT_SIGNAL, which the thread accepts only during
 *    the forward part of the change. Between blocks the thread sees the
 *    abort; inside offline_pages() the pending signal ends an offline
 *    that would otherwise never end (pages that cannot be migrated).
 *    The writer then waits, uninterruptibly, for the rollback, which the
 *    thread runs with that signal ignored and flushed
 *    (kmem_hp_transition()): nothing can stop it, so EINTR always means
 *    every block is back, state and zone. If the change completed before
 *    the abort was seen, the write succeeds;
 *  - bind and unbind never forward: their outcome does not depend on the
 *    signals of the task that binds or unbinds. They do not even create
 *    a thread, which waits killably for kthreadd and so fails in a task
 *    with SIGKILL pending: they run as a work item on kmem_hp's own
 *    workqueue, whose worker never has a signal, and the task waits for
 *    it uninterruptibly. (An unbind whose offline never ends therefore
 *    waits until the pages can move.)
 * A hotplug writer that is already being killed when it starts fails
 * with EINTR before anything changes (kthread_create() cannot finish).
 */
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/workqueue.h>

#include "kmem_hp.h"

/* Runs the bind and unbind transitions (not abortable); see above. */
static struct workqueue_struct *kmem_hp_wq;

/**
 * struct kmem_hp_job - one transition, handed to its worker
 * @kdev: the device; its lock is held by the waiting task
 * @target: the state to reach, or KMEM_HP_SYSTEM for a bind-time add
 *	that leaves onlining to the kernel's policy
 * @abortable: the waiting task forwards its signals as an abort (the
 *	worker is a thread made for the job); otherwise the worker is a
 *	work item on kmem_hp_wq
 * @abort: set by the waiting task (before it sends the signal), read by
 *	the worker between blocks
 * @rc: the transition's result, valid once the worker is done
 * @work: the work item of a job that is not abortable
 * @done: completed by the thread of an abortable job as its last access
 *	to the job (which lives on the waiting task's stack)
 */
struct kmem_hp_job {
	struct kmem_hp_dev *kdev;
	int target;
	bool abortable;
	bool abort;
	int rc;
	struct work_struct work;
	struct completion done;
};

static void kmem_hp_job_run(struct kmem_hp_job *job)
{
	struct kmem_hp_dev *kdev = job->kdev;

	WRITE_ONCE(kdev->owner, current);
	if (job->target == KMEM_HP_SYSTEM)
		job->rc = kmem_hp_add_system(kdev);
	else
		job->rc = kmem_hp_transition(kdev, job->target,
					     job->abortable ? &job->abort : NULL);
	WRITE_ONCE(kdev->owner, NULL);
}

static void kmem_hp_job_work(struct work_struct *work)
{
	kmem_hp_job_run(container_of(work, struct kmem_hp_job, work));
}

static int kmem_hp_job_thread(void *data)
{
	struct kmem_hp_job *job = data;

	allow_signal(KMEM_HP_ABORT_SIGNAL);
	kmem_hp_job_run(job);
	disallow_signal(KMEM_HP_ABORT_SIGNAL);
	complete(&job->done);
	return 0;
}

static int kmem_hp_run_job(struct kmem_hp_dev *kdev, int target, bool abortable)
{
	struct kmem_hp_job job = {
		.kdev = kdev,
		.target = target,
		.abortable = abortable,
	};
	struct task_struct *task;

	lockdep_assert_held(&kdev->lock);

	if (!abortable) {
		INIT_WORK_ONSTACK(&job.work, kmem_hp_job_work);
		queue_work(kmem_hp_wq, &job.work);
		flush_work(&job.work);
		destroy_work_on_stack(&job.work);
		return job.rc;
	}

	init_completion(&job.done);
	task = kthread_create(kmem_hp_job_thread, &job, "kmem_hp/%s",
			      dev_name(kdev->dev));
	if (IS_ERR(task))
		return PTR_ERR(task);
	/* Keeps the task_struct for send_sig() should the thread finish first. */
	get_task_struct(task);
	wake_up_process(task);
	if (wait_for_completion_interruptible(&job.done)) {
		WRITE_ONCE(job.abort, true);
		send_sig(KMEM_HP_ABORT_SIGNAL, task, 1);
		wait_for_completion(&job.done);
	}
	put_task_struct(task);
	return job.rc;
}

int kmem_hp_job_init(void)
{
	/*
	 * Unbound: a transition sleeps and migrates for long. Not
	 * WQ_MEM_RECLAIM: offlining flushes the kernel's ordinary work.
	 */
	kmem_hp_wq = alloc_workqueue("kmem_hp", WQ_UNBOUND, 0);
	return kmem_hp_wq ? 0 : -ENOMEM;
}

void kmem_hp_job_exit(void)
{
	destroy_workqueue(kmem_hp_wq);
}

/**
 * kmem_hp_set_state - move every block of the device to @target, all or nothing
 * @kdev: the device; caller holds kdev->lock
 * @target: UNPLUGGED, OFFLINE, ONLINE, ONLINE_KERNEL or ONLINE_MOVABLE
 * @abortable: a signal to the caller aborts the change (-EINTR, rolled
 *	back); otherwise the caller's signals change nothing
 *
 * See kmem_hp_transition() for what a failure leaves.
 */
int kmem_hp_set_state(struct kmem_hp_dev *kdev, enum kmem_hp_state target,
		      bool abortable)
{
	return kmem_hp_run_job(kdev, target, abortable);
}

/**
 * kmem_hp_bind_add - put a device being bound in its default state
 * @kdev: the device; caller (probe) holds kdev->lock
 * @state: default_state: KMEM_HP_SYSTEM (add, the kernel's policy onlines)
 *	or a state to reach all or nothing
 *
 * Not abortable: a bind does the same whatever signals the binding task has.
 */
int kmem_hp_bind_add(struct kmem_hp_dev *kdev, int state)
{
	return kmem_hp_run_job(kdev, state, false);
}
