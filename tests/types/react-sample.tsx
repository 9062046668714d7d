// react-sample.tsx: a compile-only React component using indexie/react's
// hooks as an app does (see sample.ts for how these checks work).
import { Indexie, liveQuery, type EntityTable } from 'indexie';
import { useLiveQuery, useObservable } from 'indexie/react';

import { exact, notAny, type Equals } from './expect';

interface Friend {
  id: number;
  name: string;
  age: number;
}

const db = new Indexie('friends') as Indexie & { friends: EntityTable<Friend, 'id'> };
db.version(1).stores({ friends: '++id, name, age' });

export function FriendList({ minAge }: { minAge: number }) {
  // undefined until the first result.
  const friends = useLiveQuery(() => db.friends.where('age').aboveOrEqual(minAge).toArray(), [minAge]);
  exact<Equals<typeof friends, Friend[] | undefined>>();
  notAny(friends);
  // With a default result: never undefined.
  const count = useLiveQuery(() => db.friends.count(), [], 0);
  exact<Equals<typeof count, number>>();
  const oldest = useLiveQuery(() => db.friends.orderBy('age').last(), [], 'loading' as const);
  exact<Equals<typeof oldest, Friend | undefined | 'loading'>>();
  const viaObservable = useObservable(() => liveQuery(() => db.friends.get(1)), []);
  exact<Equals<typeof viaObservable, Friend | undefined>>();

  // @ts-expect-error: the result may be undefined until the first one
  const names: Friend[] = friends;
  // @ts-expect-error: deps are an array
  useLiveQuery(() => db.friends.count(), minAge);
  void names;

  if (!friends) return <p>Loading… ({count} friends)</p>;
  return (
    <ul>
      {friends.map((friend) => (
        <li key={friend.id}>
          {friend.name}, {friend.age}
        </li>
      ))}
    </ul>
  );
}
