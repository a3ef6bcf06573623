"""Deep Q-learning on a tiny chain environment, with a target network.

The style of the keras.io deep-Q-learning examples: an epsilon-greedy
agent that calls ``model(state)`` at every environment step, a replay
buffer sampled with NumPy, a target network refreshed with
``set_weights(model.get_weights())``, and an update computed under
``tf.GradientTape`` with the ``tf.one_hot`` mask over the actions taken
and a Huber loss, applied with ``optimizer.apply_gradients``. The
environment is a 5-state chain: action 1 moves right, action 0 left, and
only reaching the right end pays (1.0, episode over).
"""

import numpy as np

import torchkeras as keras
import torchkeras.compat.tf as tf
from torchkeras import layers

NUM_STATES = 5
NUM_ACTIONS = 2


class ChainEnv:
    def __init__(self, max_steps=12):
        self.max_steps = max_steps

    def reset(self):
        self.position = 0
        self.steps = 0
        return self._observation()

    def _observation(self):
        return np.eye(NUM_STATES, dtype="float32")[self.position]

    def step(self, action):
        self.steps += 1
        move = 1 if action == 1 else -1
        self.position = int(np.clip(self.position + move, 0, NUM_STATES - 1))
        done = self.position == NUM_STATES - 1
        reward = 1.0 if done else 0.0
        return self._observation(), reward, done or (
            self.steps >= self.max_steps)


def create_q_model():
    inputs = keras.Input(shape=(NUM_STATES,))
    x = layers.Dense(32, activation="relu")(inputs)
    action = layers.Dense(NUM_ACTIONS, activation="linear")(x)
    return keras.Model(inputs=inputs, outputs=action)


def greedy_return(model, env):
    state, total, done = env.reset(), 0.0, False
    steps = 0
    while not done:
        q = model(tf.expand_dims(tf.convert_to_tensor(state), 0),
                  training=False)
        state, reward, done = env.step(int(tf.argmax(q[0])))
        total += reward
        steps += 1
    return total, steps


def test_dqn_learns_to_walk_right():
    keras.utils.set_random_seed(9)
    rng = np.random.RandomState(9)
    gamma = 0.9
    epsilon, epsilon_min, epsilon_decay = 1.0, 0.05, 0.97
    batch_size = 32
    env = ChainEnv()

    model = create_q_model()
    model_target = create_q_model()
    model_target.set_weights(model.get_weights())
    optimizer = keras.optimizers.Adam(learning_rate=0.01)
    loss_function = keras.losses.Huber()

    action_history, state_history, state_next_history = [], [], []
    rewards_history, done_history = [], []
    episode_rewards = []
    frame_count = 0
    for episode in range(60):
        state = env.reset()
        episode_reward, done = 0.0, False
        while not done:
            frame_count += 1
            if rng.rand() < epsilon:
                action = rng.randint(NUM_ACTIONS)
            else:
                state_tensor = tf.convert_to_tensor(state)
                state_tensor = tf.expand_dims(state_tensor, 0)
                action_probs = model(state_tensor, training=False)
                action = int(tf.argmax(action_probs[0]))
            state_next, reward, done = env.step(action)
            episode_reward += reward
            action_history.append(action)
            state_history.append(state)
            state_next_history.append(state_next)
            done_history.append(float(done and reward > 0))
            rewards_history.append(reward)
            state = state_next

            if len(done_history) > batch_size:
                indices = rng.choice(len(done_history), size=batch_size)
                state_sample = np.array([state_history[i] for i in indices])
                state_next_sample = np.array(
                    [state_next_history[i] for i in indices])
                rewards_sample = np.array(
                    [rewards_history[i] for i in indices], dtype="float32")
                action_sample = [action_history[i] for i in indices]
                done_sample = tf.convert_to_tensor(
                    [done_history[i] for i in indices], dtype=tf.float32)

                future_rewards = model_target.predict(
                    state_next_sample, verbose=0)
                updated_q_values = rewards_sample + gamma * tf.reduce_max(
                    tf.convert_to_tensor(future_rewards), axis=1)
                updated_q_values = (updated_q_values * (1 - done_sample)
                                    + done_sample * rewards_sample)
                masks = tf.one_hot(action_sample, NUM_ACTIONS)
                with tf.GradientTape() as tape:
                    q_values = model(state_sample)
                    q_action = tf.reduce_sum(tf.multiply(q_values, masks),
                                             axis=1)
                    loss = loss_function(updated_q_values, q_action)
                grads = tape.gradient(loss, model.trainable_variables)
                optimizer.apply_gradients(
                    zip(grads, model.trainable_variables))

            if frame_count % 20 == 0:
                model_target.set_weights(model.get_weights())
        epsilon = max(epsilon_min, epsilon * epsilon_decay)
        episode_rewards.append(episode_reward)

    total, steps = greedy_return(model, env)
    assert total == 1.0 and steps == NUM_STATES - 1, (total, steps)
    q = keras.ops.convert_to_numpy(
        model(np.eye(NUM_STATES, dtype="float32")[:-1]))
    assert np.all(q[:, 1] > q[:, 0]), q
    # Q of "right" in the state next to the goal approaches the reward.
    assert abs(q[-1, 1] - 1.0) < 0.3, q
    assert np.mean(episode_rewards[-15:]) > np.mean(episode_rewards[:15])
